"""Turning raw report files into clean text and metadata. Pure functions: no ORM here."""

from .cleaning import CleanReport, clean_report
from .decoding import ReportRejected, decode_report_bytes
from .metadata import extract_years, find_publication_date

__all__ = [
    "CleanReport",
    "ReportRejected",
    "clean_report",
    "decode_report_bytes",
    "extract_years",
    "find_publication_date",
]
