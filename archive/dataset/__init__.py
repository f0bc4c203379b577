"""The curated dataset researchers download: cities, categories, initiatives with aliases and
relations, reports, and confirmed mentions with their passages and years.

`tables.TABLES` is the one definition of the tables and their columns; the export (JSON, a zip of
CSV files, one CSV per table), the loader and the public data page all read it. Exports are
deterministic (rows ordered by slug or id, no timestamp inside, fixed zip member dates), so
export → load into an empty archive → export gives the same bytes.

- `tables`: the tables, their columns and types, `DatasetError`
- `cells`: CSV cells neutralised against spreadsheet formulas, and restored
- `export`: rows of every table, and the JSON, zip and CSV files made from them (whole, or
  streamed in chunks)
- `summary`: row counts for the data page
- `read`: a JSON or zip file back into typed tables
- `load`: checked tables written into an empty archive, all or nothing

Callers import from here (`from archive import dataset`, `from archive.dataset import …`).
"""

from archive.dataset.cells import cell_neutralise, cell_restore
from archive.dataset.export import (
    columns_csv,
    dataset_json,
    dataset_json_chunks,
    dataset_rows,
    dataset_tables,
    dataset_tables_lazily,
    dataset_zip,
    dataset_zip_chunks,
    export_filename,
    readme_text,
    table_csv,
    table_csv_chunks,
)
from archive.dataset.load import dataset_load, dataset_load_path
from archive.dataset.read import dataset_read, dataset_read_path
from archive.dataset.summary import DatasetSummary, TableSummary, dataset_summary
from archive.dataset.tables import (
    CSV_ENCODING,
    DEFAULT_MAX_BYTES,
    FORMAT,
    TABLES,
    TABLES_BY_NAME,
    VERSION,
    Column,
    DatasetError,
    Table,
)

__all__ = [
    "CSV_ENCODING",
    "DEFAULT_MAX_BYTES",
    "FORMAT",
    "TABLES",
    "TABLES_BY_NAME",
    "VERSION",
    "Column",
    "DatasetError",
    "DatasetSummary",
    "Table",
    "TableSummary",
    "cell_neutralise",
    "cell_restore",
    "columns_csv",
    "dataset_json",
    "dataset_json_chunks",
    "dataset_load",
    "dataset_load_path",
    "dataset_read",
    "dataset_read_path",
    "dataset_rows",
    "dataset_summary",
    "dataset_tables",
    "dataset_tables_lazily",
    "dataset_zip",
    "dataset_zip_chunks",
    "export_filename",
    "readme_text",
    "table_csv",
    "table_csv_chunks",
]
