"""Importer metadata on a folder of real reports, scored against its manifest (no database, no Django).

    .venv/bin/python bench/importer_bench.py FOLDER [--ref main] [-v]

FOLDER holds .txt (or .html) reports and a `manifest.json`: a list of {file, city, province, year,
level, title, …} (the shape of the shared realworld manifest). `city` is the prefecture-level unit
the report is about (a municipality counts as one; a district or county report is filed under its
prefecture), null for a province-level report; `year` is the report's year (the end of its span),
null when a careful reader cannot tell; `title` null when the page shows no title line.

Each report is read as `import_reports` reads it without --city or --year: decode, clean, then the
city and years. The same run does it twice: with the code in this checkout, and with the code of
git `--ref` (default main), extracted to a temporary folder and run in a subprocess, so before and
after are measured on the same files. Per field it prints right / empty / wrong: a wrong value is
worse than an empty one. precision = right / (right + wrong) over the reports given a value;
recall = right / all. For city, an expected null is right when the importer files the report under
no city ("province-level: not filed") and wrong when it picks a city. For years and titles, an
expected null is right when the importer leaves the field empty. A title is right when it equals
the expected one after normalisation (traditional → simplified, punctuation and spaces removed) or
one contains the other and covers at least 60% of it.
"""

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTAINED_SHARE = 0.6
MAX_BYTES = 5 * 2**20


def predict(folder: Path, code_root: Path) -> dict[str, dict]:
    """Run the importer's reading of every report in `folder` with the code under `code_root`."""
    sys.path.insert(0, str(code_root))
    from archive.importing import clean_report, decode_report_bytes
    from archive.importing.gazetteer import CityCandidate, CityMatcher, CityNotFound, read_gazetteer

    gazetteer_dir = code_root / "fixtures" / "gazetteer"
    try:
        from archive.importing.subject import describe_report, load_places
    except ImportError:  # the code before issue 13: the city named most, years from title and body
        describe_report = None
        matcher = CityMatcher(
            [CityCandidate(e.slug, e.name, e.short_name, e.province) for e in read_gazetteer(gazetteer_dir)]
        )
        from archive.importing import extract_years
    else:
        places = load_places(gazetteer_dir)

    results = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in {".txt", ".html", ".htm"}:
            continue
        text, _ = decode_report_bytes(path.read_bytes(), max_bytes=MAX_BYTES)
        report = clean_report(text, is_html=path.suffix.lower() != ".txt")
        if describe_report is None:
            try:
                city = matcher.match(report.title, report.body).name
                note = ""
            except CityNotFound as error:
                city, note = None, str(error)
            found = extract_years(report.title, report.body)
            years = [found.start, found.end] if found else None
            level = ""
        else:
            description = describe_report(report, places)
            city = description.city.name if description.city else None
            note = description.city_note
            years = [description.years.start, description.years.end] if description.years else None
            level = description.level
        results[path.name] = {"city": city, "level": level, "note": note, "years": years, "title": report.title}
    return results


def predict_at_ref(folder: Path, ref: str) -> dict[str, dict]:
    """The same reading with the code of git `ref`, in a subprocess so the two versions never mix."""
    archive = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "archive",
            ref,
            "archive/importing",
            "archive/text/normalise.py",
            "fixtures/gazetteer",
        ],
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        tarfile.open(fileobj=BytesIO(archive)).extractall(tmp, filter="data")
        # Only the importer's files are extracted: the packages above them get an empty __init__ (archive's own
        # would load Django), whichever of archive/text (now) or archive/search (before it moved) holds normalise.
        for package in ("archive", "archive/text", "archive/search"):
            if (Path(tmp) / package).is_dir():
                (Path(tmp) / package / "__init__.py").touch()
        output = subprocess.run(
            [sys.executable, __file__, str(folder), "--worker", tmp], capture_output=True, check=True, text=True
        ).stdout
    return json.loads(output)


def normalised(text: str) -> str:
    from archive.text.normalise import normalise

    return normalise(text or "")


def title_right(found: str, expected: str) -> bool:
    found, expected = normalised(found), normalised(expected)
    if not found or not expected:
        return False
    shorter, longer = sorted((found, expected), key=len)
    return found == expected or (shorter in longer and len(shorter) >= CONTAINED_SHARE * len(longer))


def verdicts(entry: dict, prediction: dict) -> dict[str, str]:
    """right / empty / wrong for city, year and title."""
    out = {}
    expected_city, found_city = entry.get("city"), prediction["city"]
    if found_city is None:
        out["city"] = "right" if expected_city is None else "empty"
    else:
        out["city"] = "right" if found_city == expected_city else "wrong"
    expected_year = entry.get("year")
    found_year = prediction["years"][1] if prediction["years"] else None
    if found_year is None:
        out["year"] = "right" if expected_year is None else "empty"
    else:
        out["year"] = "right" if found_year == expected_year else "wrong"
    expected_title, found_title = entry.get("title"), prediction["title"]
    if not found_title:
        out["title"] = "right" if not expected_title else "empty"
    else:
        out["title"] = "right" if title_right(found_title, expected_title) else "wrong"
    return out


def score_line(counts: Counter, total: int) -> str:
    given = counts["right"] + counts["wrong"]
    precision = counts["right"] / given if given else 0.0
    return (
        f"{counts['right']:3d} right {counts['empty']:3d} empty {counts['wrong']:3d} wrong"
        f"  precision {precision:5.1%}  recall {counts['right'] / total:5.1%}"
    )


def report(manifest: list[dict], runs: dict[str, dict[str, dict]], verbose: bool) -> None:
    groups = {
        "all": manifest,
        "filed under a city (prefecture, municipality, district, county)": [e for e in manifest if e.get("city")],
        "province level (not to be filed)": [e for e in manifest if not e.get("city")],
    }
    for label, entries in groups.items():
        print(f"\n== {label}: {len(entries)} reports")
        if not entries:
            continue
        for field in ("city", "year", "title"):
            for name, predictions in runs.items():
                counts = Counter(verdicts(e, predictions[e["file"]])[field] for e in entries)
                print(f"{field:5s} {name:6s} {score_line(counts, len(entries))}")
    if verbose:
        print()
        for entry in manifest:
            for name, predictions in runs.items():
                p = predictions[entry["file"]]
                v = verdicts(entry, p)
                marks = " ".join(f"{k}:{v[k][0].upper()}" for k in ("city", "year", "title"))
                print(
                    f"{name:6s} {entry['file'][:34]:34s} {marks}  city {p['city']} (want {entry.get('city')})"
                    f" years {p['years']} (want {entry.get('year')}) title {p['title'][:30]!r}"
                    + (f" — {p['note']}" if p["note"] and v["city"] != "right" else "")
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ref", default="main", help="git ref of the code to compare against (default main)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per report and version")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.worker:
        print(json.dumps(predict(folder, Path(args.worker)), ensure_ascii=False))
        return
    manifest = [
        e for e in json.loads((folder / "manifest.json").read_text(encoding="utf-8")) if (folder / e["file"]).exists()
    ]
    runs = {args.ref: predict_at_ref(folder, args.ref), "now": predict(folder, ROOT)}
    report(manifest, runs, args.verbose)


if __name__ == "__main__":
    main()
