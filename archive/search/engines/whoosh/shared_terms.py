"""Confirmed terms shared by every process that reads one version of the index.

Confirming a common term of three characters or more reads the stored text of every candidate:
~0.15 s at 100,000 reports. engine.py keeps the answer in memory for the next search, but each
gunicorn worker has its own memory, so the same query answered by another worker paid again (at
100,000 reports, half the repeated queries of the scale benchmark took 0.4–0.5 s for that reason).
The answer is therefore also written beside the index, one small .npy file per term and index
version (a commit makes a new version, whose answers start afresh), and read back by the others
in well under a millisecond.

It is a cache: a file that cannot be written, read or trusted is ignored, and nothing else reads
these files. Files of older versions are removed when a new one is written, and at most
MAX_FILES are kept.
"""

import hashlib
import os
from pathlib import Path

import numpy as np

DIRECTORY = "confirmed"
MAX_FILES = 512


class SharedConfirmedTerms:
    def __init__(self, generation: Path, version: int, doc_limit: int):
        self.directory = generation / DIRECTORY
        self.prefix = f"{version}-"
        self.doc_limit = doc_limit

    def _path(self, text: str) -> Path:
        return self.directory / f"{self.prefix}{hashlib.sha256(text.encode('utf-8')).hexdigest()}.npy"

    def get(self, text: str) -> np.ndarray | None:
        try:
            with open(self._path(text), "rb") as stored:
                docnums = np.load(stored, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None
        if docnums.dtype != np.int32 or docnums.ndim != 1:
            return None
        if len(docnums) and (docnums[0] < 0 or docnums[-1] >= self.doc_limit or (np.diff(docnums) <= 0).any()):
            return None
        return docnums

    def put(self, text: str, docnums: np.ndarray) -> None:
        path = self._path(text)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.directory.mkdir(exist_ok=True)
            with open(temporary, "wb") as stored:
                np.save(stored, np.asarray(docnums, dtype=np.int32), allow_pickle=False)
            os.replace(temporary, path)
            self._tidy()
        except OSError:
            temporary.unlink(missing_ok=True)

    def _tidy(self) -> None:
        kept = []
        for entry in os.scandir(self.directory):
            if entry.name.startswith(self.prefix):
                kept.append(entry)
            elif not entry.name.startswith("."):
                Path(entry.path).unlink(missing_ok=True)  # another version's answers
        if len(kept) > MAX_FILES:
            for entry in sorted(kept, key=lambda e: e.stat().st_mtime)[: len(kept) - MAX_FILES]:
                Path(entry.path).unlink(missing_ok=True)
