"""Suggestion engine benchmark and seed figures, in one run (no database, no Django).

    .venv/bin/python bench/suggestions_bench.py [--names 10000] [--chars 100000] [-v]

Prints:

- speed of `suggest_known` on a SYNTHETIC body of about `--chars` characters (the five seed bodies repeated) with
  `--names` names (the curated names and aliases plus random strings of seed characters, so that most names share
  bigrams with the text and the index has to check them), next to a single regular expression alternation sorted
  longest first, the other obvious design;
- speed of `suggest_candidates` on the same body;
- (a) known-name recall on the five seeds: a curated (seed, initiative) pair is found when a suggestion of that
  initiative overlaps the curated passage;
- (b) discovery recall, leaving one document out: each seed's known names are those of the initiatives curated in
  the other four, and an initiative counts as proposed when `suggest_known` finds it or a candidate's normalised
  term equals a name or alias of it, contains one, or is contained in one and covers at least 60% of it
  (三块地 → 三块地改革). The figure under plain equality is printed too, with candidates per document and the share of
  candidates that name a curated initiative (a floor for precision: the curated list is not exhaustive);
- with -v, every candidate, marked F when it names a curated initiative.

    .venv/bin/python bench/suggestions_bench.py FOLDER [FOLDER ...] [--baseline REV] [-v]

With folders (each holding a manifest.json whose reports, or entries, name a `file` and list the `reforms` a
careful reader finds in it), the development-set figures instead, per text and overall, for the engine as it
was at git revision `--baseline` (loaded from git into this process) and as it is now, side by side:

- recall: a listed reform counts as proposed when a known initiative found in the text or a candidate term names
  it, under the rule of (b) (a known initiative by the words matched or any of its names). The known names are the
  curated ones ("old", "new, curated names"), or those and the national reform catalogue fixtures/reforms.json as
  load_seed loads it ("new + catalogue"), side by side;
- candidates per 1,000 characters: distinct candidate terms; "new" is what a curator is shown (capped at
  `candidate_cap`, by rank), "new, uncapped" everything the patterns find;
- recall@cap: the same recall counting only the shown (capped) candidates;
- known found: the distinct known initiatives found per 1,000 characters, and the share naming a listed reform.
The seed figures (a) and (b) are printed for both engines too.
"""

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.importing import clean_report, decode_report_bytes  # noqa: E402
from archive.importing import suggestions as current  # noqa: E402
from archive.importing.suggestions import KnownNames, suggest_candidates, suggest_known  # noqa: E402
from archive.text.normalise import normalise, normalise_with_positions  # noqa: E402

SEEDS = ROOT / "fixtures" / "seeds"
CURATED = json.loads((ROOT / "fixtures" / "curated.json").read_text(encoding="utf-8"))
CATALOGUE = json.loads((ROOT / "fixtures" / "reforms.json").read_text(encoding="utf-8"))
CONTAINED_SHARE = 0.6
# The engine before it learned numbered systems, document names, launched actions and ranking.
BASELINE = "0c3c157"


def baseline_engine(revision: str):
    """archive/importing/suggestions.py as it was at `revision`, imported beside the current one.

    The normaliser it imports has since moved from archive.search (whose package now loads the models, so needs
    Django) to archive.text: an old revision is pointed at the new place, the same functions."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:archive/importing/suggestions.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    source = source.replace("from archive.search.normalise import", "from archive.text.normalise import")
    spec = importlib.util.spec_from_loader("archive.importing._suggestions_baseline", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "archive.importing"
    exec(compile(source, f"{revision}:suggestions.py", "exec"), module.__dict__)
    return module


def seed_bodies() -> dict[str, str]:
    bodies = {}
    for path in sorted(SEEDS.glob("*.txt")):
        text, _ = decode_report_bytes(path.read_bytes(), max_bytes=5 * 2**20)
        bodies[path.name] = clean_report(text, is_html=False).body
    return bodies


def initiative_names() -> dict[str, list[str]]:
    return {item["slug"]: [item["name"], *item["aliases"]] for item in CURATED["initiatives"]}


def catalogue_names() -> dict[str, list[str]]:
    """The curated initiatives and the national reform catalogue, as `load_seed` loads them: a catalogue entry
    whose name the curated data already uses is skipped, and so is an alias in use."""
    names = initiative_names()
    taken = {normalise(name) for group in names.values() for name in group}
    for slug, aliases in CATALOGUE.get("aliases_for_existing", {}).items():
        fresh = [a for a in aliases if normalise(a) not in taken]
        names[slug] = [*names[slug], *fresh]
        taken.update(map(normalise, fresh))
    for item in CATALOGUE["initiatives"]:
        if item["slug"] in names or normalise(item["name"]) in taken:
            continue
        names[item["slug"]] = [n for n in [item["name"], *item.get("aliases", [])] if normalise(n) not in taken]
        taken.update(map(normalise, names[item["slug"]]))
    return names


def names_something(term: str, names: list[str], exact: bool = False) -> bool:
    for name in map(normalise, names):
        if term == name or (
            not exact and (name in term or (term in name and len(term) >= CONTAINED_SHARE * len(name)))
        ):
            return True
    return False


def known_recall(bodies: dict[str, str], pairs: list[tuple[int, str]], slugs: list[str]) -> tuple[int, int, list]:
    passages = defaultdict(list)
    for mention in CURATED["mentions"]:
        passages[(mention["seed_file"], mention["initiative"])].append(mention["passage"])
    found = {name: suggest_known(body, pairs) for name, body in bodies.items()}
    misses = []
    for (seed, slug), quoted in passages.items():
        body = bodies[seed]
        spans = [(body.find(p), body.find(p) + len(p)) for p in quoted]
        if not any(
            s.initiative_id == slugs.index(slug) and s.start < end and start < s.end
            for s in found[seed]
            for start, end in spans
        ):
            misses.append((seed, slug))
    return len(passages) - len(misses), len(passages), misses


def discovery(bodies: dict[str, str], verbose: bool, engine=current, capped: bool = False) -> None:
    names = initiative_names()
    curated = defaultdict(set)
    for mention in CURATED["mentions"]:
        curated[mention["seed_file"]].add(mention["initiative"])
    total = hits = exact_hits = all_candidates = naming = 0
    elapsed = 0.0
    for seed, body in bodies.items():
        others = sorted({slug for other, slugs in curated.items() if other != seed for slug in slugs})
        pairs = known_pairs_of({slug: names[slug] for slug in others})
        started = time.perf_counter()
        known = {others[s.initiative_id] for s in engine.suggest_known(body, pairs)}
        limit = engine.candidate_cap(body) if capped else None
        extra = {"limit": limit} if limit else {}
        candidates = engine.suggest_candidates(body, known=[name for _, name in pairs], **extra)
        elapsed += time.perf_counter() - started
        named = 0
        for candidate in candidates:
            fixture = any(names_something(candidate.normalised, n) for n in names.values())
            named += fixture
            if verbose:
                print(f"    {'F' if fixture else ' '} {candidate.signal:6} {candidate.term}")
        missed = []
        for slug in sorted(curated[seed]):
            total += 1
            proposed = slug in known or any(names_something(c.normalised, names[slug]) for c in candidates)
            hits += proposed
            exact_hits += slug in known or any(
                names_something(c.normalised, names[slug], exact=True) for c in candidates
            )
            if not proposed:
                missed.append(names[slug][0])
        print(
            f"  {seed}: {len(curated[seed])} curated, {len(curated[seed]) - len(missed)} proposed "
            f"({len(known)} known), {len(candidates)} candidates, {named} name a curated initiative; "
            f"missed: {', '.join(missed) or '-'}"
        )
        all_candidates += len(candidates)
        naming += named
    print(f"(b) discovery recall {hits}/{total} = {hits / total:.3f} (equality only: {exact_hits / total:.3f})")
    print(f"    candidates {all_candidates}, naming a curated initiative {naming} = {naming / all_candidates:.2f}")
    print(f"    time for the five seeds {elapsed:.3f} s (jieba's dictionary loaded before)")


def manifest_entries(folder: Path) -> list[tuple[Path, list[str]]]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entries = data if isinstance(data, list) else data.get("reports") or data.get("texts") or data.get("files") or []
    found = []
    for entry in entries:
        reforms = entry.get("reforms")
        if reforms is None or (not reforms and not entry.get("annotated", True)):
            continue  # not annotated for suggestions (an annotated text may list none: it counts for precision)
        found.append((folder / entry["file"], [r if isinstance(r, str) else r["name"] for r in reforms]))
    return found


def proposed_reforms(body: str, reforms: list[str], engine, known_pairs, limit: int | None) -> tuple[set, list, set]:
    """The listed reforms a curator is shown, the distinct candidate terms shown, and the known initiatives found."""
    extra = {"limit": limit} if limit else {}
    candidates = engine.suggest_candidates(body, known=[name for _, name in known_pairs], **extra)
    terms = list(dict.fromkeys(c.normalised for c in candidates))
    if hasattr(engine, "rank_candidates"):
        terms = [term for term, _ in engine.rank_candidates(candidates)]
    found = engine.suggest_known(body, known_pairs)
    initiatives = {s.initiative_id for s in found}
    # A known initiative is shown under its name: it names a listed reform when the words matched or any of its
    # names do (the text's 殡葬管理改革 proposes the initiative 殡葬改革).
    matched = [normalise(body[s.match_start : s.match_end]) for s in found]
    matched += [normalise(name) for index, name in known_pairs if index in initiatives]
    hit = {reform for reform in reforms if any(names_something(t, [reform]) for t in [*terms, *matched])}
    return hit, terms, initiatives


def folder_label(folder: Path) -> str:
    """devset/holdout and devset-extra/holdout are two folders: named with their parent."""
    return f"{folder.parent.name}/{folder.name}" if folder.name == "holdout" else folder.name


def half(path: Path) -> str:
    """A or B, fixed by the file's name (CRC-32), not chosen: rules are tuned looking at half A only, and half B,
    like any folder measured only once, says how they hold on texts they were not tuned on."""
    return "AB"[zlib.crc32(path.name.encode()) % 2]


def development_set(folders: list[Path], baseline, revision: str, verbose: bool, only: str | None = None) -> None:
    curated_pairs = known_pairs_of(initiative_names())
    all_names = catalogue_names()
    known_pairs = known_pairs_of(all_names)
    initiative_names_by_index = {i: all_names[slug] for i, slug in enumerate(all_names)}
    old_capped = hasattr(baseline, "candidate_cap")
    columns = [
        f"old ({revision}{', shown' if old_capped else ''})",
        "new, curated names",
        "new + catalogue",
        "new + cat., uncapped",
    ]
    groups = ["overall", *(f"half {h}" for h in "AB"), *(f"folder {folder_label(f)}" for f in folders)]
    # per group and column: hits, candidate terms, characters, terms naming a listed reform
    totals = {group: {column: [0, 0, 0, 0] for column in columns} for group in groups}
    listed = dict.fromkeys(groups, 0)
    known_found = {group: [0, 0] for group in groups}  # known initiatives found, of which naming a listed reform
    print(f"{'text':32} {'chars':>6} {'reforms':>7}  " + "  ".join(f"{c:>22}" for c in columns))
    print(f"{'':32} {'':>6} {'':>7}  " + "  ".join(f"{'recall  cand/1000':>22}" for _ in columns))
    for folder in folders:
        for path, reforms in manifest_entries(folder):
            if only and half(path) != only:
                continue
            text, _ = decode_report_bytes(path.read_bytes(), max_bytes=5 * 2**20)
            body = clean_report(text, is_html=path.suffix.lower() in {".html", ".htm"}).body
            runs = {
                columns[0]: proposed_reforms(
                    body, reforms, baseline, curated_pairs, baseline.candidate_cap(body) if old_capped else None
                ),
                columns[1]: proposed_reforms(body, reforms, current, curated_pairs, current.candidate_cap(body)),
                columns[2]: proposed_reforms(body, reforms, current, known_pairs, current.candidate_cap(body)),
                columns[3]: proposed_reforms(body, reforms, current, known_pairs, None),
            }
            in_groups = ["overall", f"half {half(path)}", f"folder {folder_label(folder)}"]
            for group in in_groups:
                listed[group] += len(reforms)
            known = runs[columns[2]][2]
            for group in in_groups:
                known_found[group][0] += len(known)
                known_found[group][1] += sum(
                    any(names_something(normalise(n), [r]) for n in initiative_names_by_index[i] for r in reforms)
                    for i in known
                )
            cells = []
            for column, (hit, terms, _known) in runs.items():
                for group in in_groups:
                    totals[group][column][0] += len(hit)
                    totals[group][column][1] += len(terms)
                    totals[group][column][2] += len(body)
                    totals[group][column][3] += sum(any(names_something(t, [r]) for r in reforms) for t in terms)
                density = len(terms) * 1000 / len(body)
                share = f"{len(hit) / len(reforms):4.0%}" if reforms else "   —"
                cells.append(f"{len(hit):>3}/{len(reforms):<3} {share} {density:6.2f}")
            print(
                f"{half(path)} {path.name[:30]:30} {len(body):>6} {len(reforms):>7}  "
                + "  ".join(f"{c:>22}" for c in cells)
            )
            if verbose:
                hit, terms, known = runs[columns[2]]
                every = runs[columns[3]][0]
                print(f"    missed (new, shown): {', '.join(r for r in reforms if r not in hit) or '-'}")
                print(f"    missed by every candidate: {', '.join(r for r in reforms if r not in every) or '-'}")
                print(f"    shown, best first: {' | '.join(terms[:60])}")
                print(f"    known: {' | '.join(sorted(initiative_names_by_index[i][0] for i in known)) or '-'}")
    for group in groups:
        if not totals[group][columns[0]][2]:
            continue
        cells = [
            f"{hits:>3}/{listed[group]:<3} {hits / max(listed[group], 1):4.0%} {count * 1000 / chars:6.2f}"
            for hits, count, chars, _ in totals[group].values()
        ]
        shown = totals[group][columns[2]]
        found, naming = known_found[group]
        print(
            f"{group[:32]:32} {totals[group][columns[0]][2]:>6} {listed[group]:>7}  "
            + "  ".join(f"{c:>22}" for c in cells)
            + f"   shown naming a listed reform: {shown[3]}/{shown[1]} = {shown[3] / max(shown[1], 1):.0%};"
            + f" known found {found} ({found * 1000 / shown[2]:.2f}/1000), naming a listed reform"
            + f" {naming / max(found, 1):.0%}"
        )


def known_pairs_of(names: dict[str, list[str]]) -> list[tuple[int, str]]:
    return [(index, name) for index, slug in enumerate(names) for name in names[slug]]


def synthetic_names(bodies: dict[str, str], count: int, seed: int = 20261124) -> list[tuple[int, str]]:
    pairs = known_pairs_of(initiative_names())
    chars = [ch for ch in "".join(bodies.values()) if "\u4e00" <= ch <= "\u9fff"]
    rng = random.Random(seed)
    while len(pairs) < count:
        pairs.append((len(pairs), "".join(rng.choice(chars) for _ in range(rng.randint(3, 10)))))
    return pairs


def speed(bodies: dict[str, str], name_count: int, char_count: int) -> None:
    text = "\n".join(bodies.values())
    body = "\n".join([text] * (char_count // len(text) + 1))
    pairs = synthetic_names(bodies, name_count)
    suggest_candidates("预热“一照通”改革。")  # load jieba's dictionary outside the timing

    started = time.perf_counter()
    index = KnownNames(pairs)
    built = time.perf_counter() - started
    started = time.perf_counter()
    known = suggest_known(body, index)
    matched = time.perf_counter() - started
    print(f"suggest_known: {len(body):,} chars, {len(index):,} names: index {built:.3f} s, match {matched:.3f} s")
    print(f"    {len(known)} suggestions")

    started = time.perf_counter()
    pattern = re.compile("|".join(map(re.escape, sorted({normalise(n) for _, n in pairs}, key=len, reverse=True))))
    compiled = time.perf_counter() - started
    started = time.perf_counter()
    normalised, _ = normalise_with_positions(body)
    found = sum(1 for _ in pattern.finditer(normalised))
    print(
        f"    one alternation for comparison: compile {compiled:.3f} s, normalise + finditer "
        f"{time.perf_counter() - started:.3f} s ({found} leftmost matches, no overlap handling)"
    )

    started = time.perf_counter()
    candidates = suggest_candidates(body)
    print(
        f"suggest_candidates: {len(body):,} chars: {time.perf_counter() - started:.3f} s, {len(candidates)} candidates"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("folders", nargs="*", type=Path, help="development sets: folders with a manifest.json")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the engine to compare with")
    parser.add_argument("--only", choices=["A", "B"], help="only the texts of this half (see `half`)")
    args = parser.parse_args()
    bodies = seed_bodies()
    if args.folders:
        development_set(args.folders, baseline_engine(args.baseline), args.baseline, args.verbose, args.only)
        print(f"\nseeds, engine at {args.baseline}:")
        discovery(bodies, False, baseline_engine(args.baseline))
        print("seeds, engine now, candidates capped by rank:")
        discovery(bodies, args.verbose, current, capped=True)
        print("seeds, engine now, uncapped:")
        discovery(bodies, False, current)
        return
    speed(bodies, args.names, args.chars)

    names = initiative_names()
    slugs = list(names)
    pairs = known_pairs_of(names)
    found, total, misses = known_recall(bodies, pairs, slugs)
    print(f"(a) known-name recall {found}/{total} = {found / total:.3f}; misses: {misses or '-'}")
    only_names = [(index, names[slug][0]) for index, slug in enumerate(slugs)]
    found, total, _ = known_recall(bodies, only_names, slugs)
    print(f"    without aliases {found}/{total} = {found / total:.3f}")
    discovery(bodies, args.verbose)


if __name__ == "__main__":
    main()
