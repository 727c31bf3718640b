"""``python -m etl``: rebuild data/warehouse.duckdb from data/raw/.

Options:
  --if-stale   rebuild only when the warehouse is missing or older than a file in data/raw
  --raw DIR    source folder (default data/raw)
  --out FILE   warehouse file (default data/warehouse.duckdb)
  --quiet      no progress display

Exit status: 0 built (or already fresh), 1 the ETL refused the input (Japanese message on
stderr, previous warehouse untouched), 2 usage error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.errors import EtlError
from etl.pipeline import RAW_DIR, WAREHOUSE, BuildReport, build


def is_stale(raw_dir: Path, target: Path) -> bool:
    if not target.exists():
        return True
    newest_source = max((p.stat().st_mtime for p in raw_dir.iterdir() if p.is_file()), default=0)
    etl_code = max(p.stat().st_mtime for p in Path(__file__).parent.rglob("*.py"))
    return target.stat().st_mtime < max(newest_source, etl_code)


def print_report(report: BuildReport, target: Path) -> None:
    print(f"倉庫を作成しました: {target} ({report.seconds:.2f} 秒, 文書 {len(report.documents)} 件)")
    print("ビューごとの行数:")
    for view, count in report.counts.items():
        print(f"  {view:<16} {count:>7,}")
    print("データ品質の記録 (種類別):")
    for kind, count in report.issues_by_kind.items():
        print(f"  {kind:<20} {count:>5,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="data/raw の文書から倉庫を作成します")
    parser.add_argument("--raw", type=Path, default=RAW_DIR)
    parser.add_argument("--out", type=Path, default=WAREHOUSE)
    parser.add_argument("--if-stale", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    if args.if_stale and not is_stale(args.raw, args.out):
        print(f"倉庫は最新です: {args.out}")
        return 0

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"… {message}", file=sys.stderr, flush=True)

    try:
        report = build(args.raw, args.out, progress)
    except EtlError as error:
        print(f"エラー ({error.stage}): {error}", file=sys.stderr)
        print("以前の倉庫はそのまま残っています。入力を直してから再実行してください。", file=sys.stderr)
        return 1
    print_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
