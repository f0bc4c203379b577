"""Pure text code shared by the importer, curation and search: one normalisation and one jieba
segmentation. Nothing here touches the database or an index, and nothing here imports from the
rest of `archive`, so every layer above can use it."""
