"""Main text of report pages: our cleaner against trafilatura and readability-lxml, side by side.

    .venv/bin/python bench/extraction_bench.py FOLDER

FOLDER holds .html pages and a `manifest.json`: [{file, expected: [paragraph, …]}]. Each extractor
gets the decoded page (the same decoding `import_reports --url` uses). Per page and in total:

- recall: the share of the expected paragraphs' characters found in the extracted text;
- precision: the share of the extracted text's characters (its lines) that belong to the article,
  i.e. whose line, normalised, is part of an expected paragraph (so menus, related links, footers
  and captions count against it).

Text is compared after normalisation (traditional → simplified, punctuation and spaces removed).
trafilatura and readability-lxml are not requirements of the archive: install them to compare
(`pip install trafilatura==2.3.1` then `pip install readability-lxml==0.9`); a missing one is skipped.
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.importing import clean_report  # noqa: E402
from archive.importing.fetching import decode_page  # noqa: E402
from archive.text.normalise import normalise  # noqa: E402


def ours(html: str) -> str:
    return clean_report(html, is_html=True).body


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=False) or ""


def readability_text(html: str) -> str:
    from bs4 import BeautifulSoup
    from readability import Document

    return BeautifulSoup(Document(html).summary(), "html.parser").get_text("\n")


def score(text: str, expected: list[str]) -> tuple[float, float]:
    article = normalise("".join(expected))
    found = normalise(text)
    covered = sum(len(p) for p in map(normalise, expected) if p and p in found)
    lines = [normalise(re.sub(r"^(\s*\d+[、.])+", "", line)) for line in text.splitlines()]
    lines = [line for line in lines if line]
    total = sum(map(len, lines))
    belonging = sum(len(line) for line in lines if line in article)
    recall = covered / max(1, len(article))
    precision = belonging / total if total else 0.0
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    manifest = json.loads((args.folder / "manifest.json").read_text(encoding="utf-8"))
    extractors = {"ours": ours, "trafilatura": trafilatura_text, "readability": readability_text}
    totals = {name: [0.0, 0.0, 0.0, 0] for name in extractors}
    for entry in manifest:
        html, _ = decode_page((args.folder / entry["file"]).read_bytes(), None)
        line = [f"{entry['file'][:28]:28s}"]
        for name, extract in extractors.items():
            try:
                started = time.perf_counter()
                text = extract(html)
                elapsed = time.perf_counter() - started
            except ImportError:
                line.append(f"{name}: not installed")
                continue
            precision, recall = score(text, entry["expected"])
            totals[name][0] += precision
            totals[name][1] += recall
            totals[name][2] += elapsed
            totals[name][3] += 1
            line.append(f"{name} P {precision:6.1%} R {recall:6.1%}")
        print("  ".join(line))
    print()
    for name, (precision, recall, elapsed, pages) in totals.items():
        if pages:
            print(
                f"{name:12s} mean precision {precision / pages:6.1%}  mean recall {recall / pages:6.1%}"
                f"  {1000 * elapsed / pages:6.1f} ms a page  ({pages} pages)"
            )


if __name__ == "__main__":
    main()
