"""The extract cache: each source file's checked and parsed result, kept between builds.

A rebuild parses only the files that changed. Each text document's reconciled ``Extract``
(with its data-quality issues) and each workbook's ``check`` result are stored under a key made
of everything that decides them:

- the file's SHA-256 (its bytes),
- ``code_version()``: a hash of the ETL's own source code (etl/**/*.py and vocab.py), so any
  change of a parser, checker or the reconcile rule invalidates every entry without anyone
  having to remember to bump a number,
- the inputs besides the bytes: for a text document its manifest row and the corrections.csv
  rows for it (a correction changes the extract); for a workbook its file name (messages and
  the default document id use it) and the manifest's document id when a row names it.

Entries are pickles of the ETL's own dataclasses. Pickle is the format because the value is a
tree of typed records (Extract, Issue, WorkbookCheck with its problems) that must come back
exactly as the parser produced it, and it loads fastest. It is safe here because only the ETL
writes the folder, which sits beside the warehouse it builds (``settings.cache_dir``): whoever
can write it can already replace the warehouse itself. Still, an entry is never trusted: one
that cannot be read, unpickles to something else or names another key is ignored, deleted and
parsed again.

Writes go to a temporary name and are renamed into place, so a crash or two concurrent builds
never leave half an entry. After a successful build ``prune`` deletes the entries that build
did not use, so the folder holds one entry per current source file.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_FORMAT = "gyokaku-extract-cache-1"  # bump if the layout of an entry changes
_SUFFIX = ".pickle"


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 over the ETL's source files (path and content), in path order."""
    digest = hashlib.sha256(_FORMAT.encode())
    for path in sorted([*(ROOT / "etl").rglob("*.py"), ROOT / "vocab.py"]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def entry_key(kind: str, sha256: str, inputs: Any) -> str:
    """The key of one file's entry: its kind ("text" | "workbook"), bytes and other inputs."""
    payload = json.dumps([code_version(), kind, sha256, inputs], ensure_ascii=False, sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class ExtractCache:
    """A folder of entries, one file per key (``<key>.pickle``)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{_SUFFIX}"

    def get(self, key: str, expected: type | tuple[type, ...]) -> Any | None:
        """The stored value, or None when absent or unusable (then the entry is deleted)."""
        self.used.add(key)
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            stored_format, stored_key, value = pickle.loads(data)
            if stored_format != _FORMAT or stored_key != key or not isinstance(value, expected):
                raise ValueError("not this entry")
        except Exception:  # noqa: BLE001 - any damage means "parse again", never "trust it"
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return value

    def keep(self, key: str) -> None:
        """Count ``key`` as used by this build without reading it (``prune`` keeps it)."""
        self.used.add(key)

    def put(self, key: str, value: Any) -> None:
        """Store ``value``; a folder that cannot be written only costs the next build time."""
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.tmp"
            temporary.write_bytes(pickle.dumps((_FORMAT, key, value), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, self._path(key))
        except OSError:
            pass

    def prune(self) -> None:
        """Delete the entries (and stray temporaries) this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            stale = path.name.endswith(".tmp") or (path.suffix == _SUFFIX and path.stem not in self.used)
            if stale and path.is_file():
                path.unlink(missing_ok=True)
