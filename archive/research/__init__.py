"""The research instrument: reading the archive as data (concordance and collocates)."""
