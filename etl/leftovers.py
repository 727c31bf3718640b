"""Temporary files a killed run leaves behind, and their removal at the next run.

A killed ``python -m etl`` leaves ``<warehouse>.tmp-<pid>-<token>`` and its ``.wal``; a killed
import leaves ``data/raw/.upload-<pid>-<token>.xlsx`` and ``<tmp>/gyokaku-import-<pid>-…``. Every
such name carries the process id of its writer and a token unique to one build, so two builds in
one process never share a file and a later run can tell a leftover from a file in use: it is
removed only when its process is gone, or (a reused process id, a name without one) when it is
older than ``SAFE_AGE``.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

SAFE_AGE = 6 * 3600  # seconds; a build or an import takes well under a minute
UPLOAD_PREFIX = ".upload-"
IMPORT_DIR_PREFIX = "gyokaku-import-"
_OWNER = re.compile(r"-(\d+)(?:-|$)")


def unique_suffix() -> str:
    """``<pid>-<token>``: names this process's temporary file for one build."""
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def warehouse_temporary(target: Path) -> Path:
    return target.with_name(f"{target.name}.tmp-{unique_suffix()}")


def upload_pending(raw: Path) -> Path:
    """Where an upload waits in the raw folder (hidden: the pipeline skips it). Its name does not
    include the user's file name, which may already be as long as the file system allows."""
    return raw / f"{UPLOAD_PREFIX}{unique_suffix()}.xlsx"


def import_dir_prefix() -> str:
    return f"{IMPORT_DIR_PREFIX}{os.getpid()}-"


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OverflowError:
        return False
    return True


def _stale(path: Path, owner_text: str, now: float) -> bool:
    try:
        age = now - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    match = _OWNER.match(owner_text)
    if match and not process_alive(int(match.group(1))):
        return True
    return age > SAFE_AGE


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError:  # not ours to remove after all (permissions): leave it
        return False
    return True


def remove_stale(raw: Path | None = None, target: Path | None = None,
                 import_dirs: bool = False) -> list[Path]:
    """Remove what killed runs left beside ``target`` (the warehouse) and in ``raw`` (the raw
    folder), and with ``import_dirs`` killed imports' working folders; returns what was removed."""
    now = time.time()
    candidates: list[tuple[Path, str]] = []
    if target is not None and target.parent.is_dir():
        marker = f"{target.name}.tmp-"
        for path in target.parent.iterdir():
            if path.name.startswith(marker):
                owner = path.name[len(marker) - 1:].removesuffix(".wal")
                candidates.append((path, owner))
    if raw is not None and raw.is_dir():
        candidates += [(p, p.name[len(UPLOAD_PREFIX) - 1:]) for p in raw.iterdir()
                       if p.name.startswith(UPLOAD_PREFIX)]
    if import_dirs:
        candidates += [(p, p.name[len(IMPORT_DIR_PREFIX) - 1:])
                       for p in Path(tempfile.gettempdir()).glob(f"{IMPORT_DIR_PREFIX}*")]
    return [path for path, owner in candidates if _stale(path, owner, now) and _remove(path)]
