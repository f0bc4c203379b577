"""archive.search is used through its public face (archive/search/__init__.py) only, and the
import graph between text, search and the layers above it runs one way."""

import ast
from pathlib import Path

import archive.search

ROOT = Path(__file__).resolve().parents[2]
# Tests of the engines' internals live in tests/search; test_health damages the Whoosh files on disk.
INTERNALS_ALLOWED = {ROOT / "tests" / "search", ROOT / "tests" / "test_health.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    return _imports_of(path.read_text(encoding="utf-8"), _module_name(path), is_package=path.name == "__init__.py")


def _imports_of(source: str, module_name: str, *, is_package: bool) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, imported names) of every import in the source, relative ones resolved."""
    package = module_name.split(".") if is_package else module_name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def _within(path: Path, *folders: Path) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def _reaches_into_search(module: str, names: list[str]) -> bool:
    if module.startswith("archive.search."):
        return True
    if module == "archive.search":
        return any(name not in archive.search.__all__ for name in names)
    return False


def test_nothing_outside_search_imports_its_modules():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module} {names or ''}"
        for path in _python_files("archive", "reformsite", "bench", "tests")
        if not _within(path, ROOT / "archive" / "search", *INTERNALS_ALLOWED)
        for line, module, names in _imports(path)
        if _reaches_into_search(module, names)
    ]
    assert offenders == []


def test_the_checker_sees_a_module_reached_into():
    """The walk reads every import, relative ones resolved, and would catch each of these forms."""
    assert ("archive.search", ["SearchForm"]) in [
        (m, n) for _line, m, n in _imports(ROOT / "archive/views/research.py")
    ]
    assert _reaches_into_search("archive.search.engines.whoosh.engine", ["run"])
    assert _reaches_into_search("archive.search", ["engines"])
    assert _reaches_into_search("archive.search", ["results"])
    assert not _reaches_into_search("archive.search", ["search_documents", "SearchForm"])
    assert not _reaches_into_search("archive", ["search"])
    relative = _imports_of(
        "from ..search import engine\nfrom .search.results import x", "archive.views.x", is_package=False
    )
    assert [(module, names) for _line, module, names in relative] == [
        ("archive.search", ["engine"]),
        ("archive.views.search.results", ["x"]),
    ]
    assert _reaches_into_search("archive.search", ["engine"])


def test_every_public_name_exists():
    assert archive.search.__all__ and all(hasattr(archive.search, name) for name in archive.search.__all__)


def test_search_never_imports_the_layers_above_it():
    above = ("archive.services", "archive.views", "archive.admin", "archive.management", "archive.urls")
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _python_files("archive/search")
        for line, module, _names in _imports(path)
        if module.startswith(above) or (module == "archive" and set(_names) & {"services", "views", "admin"})
    ]
    assert offenders == []


def test_text_imports_nothing_from_the_archive_but_itself():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _python_files("archive/text")
        for line, module, _names in _imports(path)
        if (module == "archive" or module.startswith("archive.")) and not module.startswith("archive.text")
    ]
    assert offenders == []


def test_the_importer_does_not_depend_on_search():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _python_files("archive/importing")
        for line, module, names in _imports(path)
        if module.startswith("archive.search") or (module == "archive" and "search" in names)
    ]
    assert offenders == []
