"""Which workbooks need checking, and checking them: from the extract cache, else in parallel.

Checking a workbook (``etl.workbook.check``: one pass over its XML that checks the limits and
reads every cell — ``sheet_fast_path`` for sheets in canonical form, else streaming — then every
rule) is what a build spends its time on — about 75 ms of CPU per generated national workbook,
with reconciling and storing (about 40 ms of it the XML). A workbook
whose bytes, name, manifest document id and ETL code are unchanged since the last build comes
back from the cache (``etl.extract_cache``) without being opened. The others are checked in
worker processes (at most ``os.cpu_count()``) when there are more than ``PARALLEL_ABOVE`` of
them; a handful is checked here, since starting workers costs more than it saves. A worker also
writes the cache entries of what it checked (the main process only counts them as used) and, in
a build, the document's warehouse rows: at 1,741 workbooks the main process otherwise spent
about 40 s of CPU unpickling extracts and building rows, and held them all.

Results come back in the order of ``files`` whatever the workers' speed, so messages, the
document-id conflict rule (the first file keeps its id) and the warehouse rows are the same
as a serial build's.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from etl.extract_cache import ExtractCache, entry_key
from etl.model import Extract
from etl.reconcile import reconcile
from etl.workbook.check import check
from etl.workbook.problems import WorkbookCheck

if TYPE_CHECKING:
    from etl.documents import ManifestEntry

PARALLEL_ABOVE = 4  # uncached workbooks; fewer are checked in this process
_CHUNK = 8  # workbooks per task sent to a worker: fewer round trips, still balanced


@dataclass
class Checked:
    """One workbook's check, and its reconciled extract when the check found no error.

    Cached as two entries: the check itself (small: plan, counts, warnings) under ``key`` and the
    extract under ``body_key(key)``. A rebuild reads only the first, and the extract only when
    the document's rows (etl.document_tables) are not cached either: unpickling every workbook's
    records again was most of a warm rebuild at national scale. ``reconciled`` is None for a
    cached check until ``extract`` reads it."""

    sha256: str
    result: WorkbookCheck
    reconciled: Extract | None
    key: str | None = None  # the cache entry, when there is a cache
    stored: bool = False  # its cache entries were written where it was checked (a worker)


def body_key(key: str) -> str:
    return entry_key("workbook-extract", key, [])


def extract(checked: Checked, raw_dir: Path, name: str, document_id: str | None,
            cache: ExtractCache | None) -> Extract:
    """The reconciled extract of a workbook that passed its check: from memory, the cache, or
    (an entry lost since) by checking the file again."""
    if checked.reconciled is not None:
        return checked.reconciled
    if cache is not None and checked.key is not None:
        hit = cache.get(body_key(checked.key), Extract)
        if hit is not None:
            return hit
    fresh = _check_file(str(raw_dir / name), name, document_id)
    if fresh.reconciled is None or fresh.sha256 != checked.sha256:
        raise RuntimeError(f"{name} changed while the warehouse was being built")
    if cache is not None and checked.key is not None:
        cache.put(body_key(checked.key), fresh.reconciled)
    return fresh.reconciled


def _check_file(path: str, name: str, document_id: str | None) -> Checked:
    data = Path(path).read_bytes()
    result = check(data, name, document_id)
    reconciled = reconcile(result.extract) if result.ok else None
    return Checked(hashlib.sha256(data).hexdigest(), result, reconciled)


def store(cache: ExtractCache, key: str, checked: Checked) -> None:
    """The two cache entries of a fresh check (see ``Checked``)."""
    cache.put(key, replace(checked, reconciled=None, result=replace(checked.result, extract=None)))
    if checked.reconciled is not None:
        cache.put(body_key(key), checked.reconciled)


Task = tuple[str, str, "str | None", "str | None", "str | None", "ManifestEntry | None", bool]


def _check_task(task: Task) -> Checked:
    """Check one file and, given a cache folder and key, store its entries there: in a worker
    that is the worker's CPU, not the main process's, which would otherwise fall behind the two
    workers. With ``rows`` the worker also prepares the document's warehouse rows into the cache
    (``_prepare_rows``) and sends back the check without its extract: the main process then
    reads the rows (small Arrow tables) instead of unpickling the extract and building them."""
    path, name, document_id, folder, key, entry, rows = task
    checked = _check_file(path, name, document_id)
    if folder is not None and key is not None:
        cache = ExtractCache(Path(folder))
        store(cache, key, checked)
        checked.stored = True
        if rows and checked.reconciled is not None:
            checked.key = key
            _prepare_rows(Path(path).parent, cache, name, checked, entry)
            checked.reconciled = None  # in the cache (``extract`` reads it if the rows miss)
    return checked


@functools.lru_cache(maxsize=2)
def _row_preparer(raw_dir: Path, folder: Path):
    """The pipeline's row preparer (``etl.pipeline.TablePreparer``) with the raw folder's categories
    dictionary, once per worker and build: the same dictionary and cache key the build uses."""
    from etl.categories import read_dictionary
    from etl.pipeline import TablePreparer

    return TablePreparer(read_dictionary(raw_dir), ExtractCache(folder))


def _prepare_rows(raw_dir: Path, cache: ExtractCache, name: str, checked: Checked, entry) -> None:
    """The document's rows under the key the build will look for: its ``TablePreparer`` computes them
    from the same ``loaded_document`` and stores them. Should the build's key differ after all
    (a document id another file took), it builds the rows itself: slower, never different."""
    from etl.workbook.source import loaded_document

    _row_preparer(raw_dir, cache.folder)(loaded_document(name, checked, entry))


def _workers(count: int) -> int:
    return max(1, min(os.cpu_count() or 1, count))


def check_workbooks(raw_dir: Path, files: list[str], document_ids: dict[str, str | None],
                    cache: ExtractCache | None,
                    progress: Callable[[str], None] = lambda message: None,
                    entries: "dict[str, ManifestEntry] | None" = None) -> Iterator[tuple[str, Checked]]:
    """``(name, Checked)`` for each of ``files`` in order; ``document_ids``: the manifest's
    document id for a file when a row names one. ``entries`` (the manifest rows by file): given
    with a cache, workers also prepare each document's rows there (``_check_task``)."""
    keys: dict[str, str] = {}
    done: dict[str, Checked] = {}
    if cache is not None:
        for name in files:
            sha256 = hashlib.sha256((raw_dir / name).read_bytes()).hexdigest()
            keys[name] = entry_key("workbook", sha256, [name, document_ids.get(name)])
            hit = cache.get(keys[name], Checked)
            if hit is not None and hit.sha256 == sha256:
                hit.key = keys[name]
                if hit.result.ok:
                    cache.keep(body_key(keys[name]))
                done[name] = hit
    missing = [name for name in files if name not in done]
    folder = str(cache.folder) if cache is not None else None
    parallel = len(missing) > PARALLEL_ABOVE and _workers(len(missing)) > 1
    tasks = [(str(raw_dir / name), name, document_ids.get(name), folder, keys.get(name),
              (entries or {}).get(name), parallel and entries is not None) for name in missing]
    results = _in_workers(tasks) if parallel else map(_check_task, tasks)
    yield from _stored(zip(missing, results), files, done, keys, cache, progress)


def _in_workers(tasks: list[Task]) -> Iterator[Checked]:
    """``_check_task`` of each task, in order, in worker processes. forkserver: workers start
    from a clean interpreter, never from a fork of a threaded parent (the dashboard), and load
    the checker once each. If the pool breaks (a worker killed, a caller's main script that
    cannot be re-imported), the rest is checked here: slower, never a different result."""
    produced = 0
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["etl.checked_workbooks"])
    try:
        with ProcessPoolExecutor(_workers(len(tasks)), mp_context=context) as pool:
            with _no_main_script():  # map submits every task, and so starts the workers, here
                results = pool.map(_check_task, tasks, chunksize=_CHUNK)
            for checked in results:
                produced += 1
                yield checked
    except BrokenProcessPool:
        yield from map(_check_task, tasks[produced:])


@contextlib.contextmanager
def _no_main_script() -> Iterator[None]:
    """While workers start, ``__main__`` is an empty module when it is a script run by path.
    A worker re-runs the caller's main script when that has no module name, and under Streamlit
    (the dashboard, AppTest) ``__main__`` is the page being run: re-running a page in a worker
    broke the pool, so a build started after any page had run checked every workbook here."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or not getattr(main, "__file__", None):
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _stored(fresh: Iterator[tuple[str, Checked]], files: list[str], done: dict[str, Checked],
            keys: dict[str, str], cache: ExtractCache | None,
            progress: Callable[[str], None]) -> Iterator[tuple[str, Checked]]:
    """Merge cached and fresh results in ``files`` order, storing each fresh one."""
    for number, name in enumerate(files, start=1):
        if name not in done:
            progress(f"[ブック {number}/{len(files)}] {name} を検査中")
            fresh_name, checked = next(fresh)
            assert fresh_name == name  # both follow the order of ``files``
            if cache is not None:
                checked.key = keys[name]
                if checked.stored:  # by the task (``_check_task``): only count them as used
                    cache.keep(keys[name])
                    if checked.result.ok:  # its extract too (the task sends it back only without rows)
                        cache.keep(body_key(keys[name]))
                else:
                    store(cache, keys[name], checked)
                checked.stored = False
            done[name] = checked
        yield name, done.pop(name)
