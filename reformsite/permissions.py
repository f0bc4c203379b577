"""Data at rest is for the account that runs the archive alone: the database holds password hashes
and live sessions, the secret key signs them, and backups hold both.

VAR_DIR and the backup directory are 0700 and the files in them 0600, whatever the umask of
whoever first created them (`make serve` and gunicorn also set umask 077, so new files start
private). Modes are only ever tightened, and only on paths this account owns. Pure `os` code:
settings use it before Django is set up."""

import os
import stat
from pathlib import Path

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
# SQLite creates these beside the database with the database file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_directory(path: Path) -> Path:
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIRECTORY)
    return path


def private_file(path: Path) -> None:
    _tighten(path, PRIVATE_FILE)


def private_sqlite(path: Path) -> None:
    """Create the database file empty with mode 0600 if it is not there yet (an empty file is an
    empty SQLite database), so SQLite's -wal and -shm files are born 0600 too; tighten them if they
    are there already."""
    if not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    for name in (str(path), *(f"{path}{suffix}" for suffix in SQLITE_COMPANIONS)):
        private_file(Path(name))


def _tighten(path: Path, allowed: int) -> None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if mode & ~allowed and status.st_uid == os.geteuid():
        os.chmod(path, mode & allowed)
