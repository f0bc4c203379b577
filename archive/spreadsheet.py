"""Cells for CSV files researchers open in Excel or WPS. Pure code.

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula, so a
report titled =HYPERLINK(…) would become a live link (CSV injection, OWASP). Such cells get a
leading apostrophe, which spreadsheets hide and treat as "this is text".
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
