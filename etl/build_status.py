"""Why the last ``python -m etl`` failed, for the dashboard to show (never inside the warehouse).

A failed build leaves the previous warehouse as it was, so the dashboard keeps running on it;
``<warehouse stem>.build-error.json`` beside the warehouse says what went wrong, and the next
successful build (``python -m etl`` or an import) removes it.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class BuildFailure:
    failed_at: datetime  # UTC
    stage: str  # the EtlError's stage (マニフェスト, 抽出, ブック取り込み …)
    message: str  # the Japanese message, possibly several lines (a workbook's problems)
    raw: str  # the raw folder the build read


def status_path(target: Path) -> Path:
    return target.with_name(f"{target.stem}.build-error.json")


def record_failure(target: Path, stage: str, message: str, raw: Path) -> None:
    """Write the record atomically (a reader never sees half a file); best effort: a build
    that cannot write it still reports its error on stderr."""
    path = status_path(target)
    record = {"failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "stage": stage,
              "message": message, "raw": str(raw)}
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


def clear_failure(target: Path) -> None:
    status_path(target).unlink(missing_ok=True)


def read_failure(target: Path) -> BuildFailure | None:
    try:
        record = json.loads(status_path(target).read_text(encoding="utf-8"))
        return BuildFailure(datetime.fromisoformat(record["failed_at"]), str(record["stage"]),
                            str(record["message"]), str(record.get("raw", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):  # unreadable record: still a failure
        return BuildFailure(datetime.now(timezone.utc), "ETL", "前回の倉庫の作成に失敗しました（記録を読めません）。", "")
