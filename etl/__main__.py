"""``python -m etl``: rebuild data/warehouse.duckdb from data/raw/.

Options:
  --if-stale   rebuild only when the warehouse is missing or older than a file in data/raw
  --raw DIR    source folder (default data/raw, or $GYOKAKU_RAW; see ``settings``)
  --out FILE   warehouse file (default data/warehouse.duckdb, or $GYOKAKU_WAREHOUSE)
  --quiet      no progress display

Workbook commands (see ``etl.workbook``):
  python -m etl template PATH.xlsx
      write the blank Excel template
  python -m etl export-template MUNICIPALITY PATH.xlsx [--warehouse FILE] [--document ID]
      write one document of a municipality from the warehouse in template form

History commands (see ``etl.history``; every rebuild, import, delete and undo is logged):
  python -m etl history [--out FILE]
      list who changed the data when, newest first
  python -m etl undo [--raw DIR] [--out FILE]
      put back the warehouse and data/raw as they were before the newest change not yet undone
  python -m etl delete DOCUMENT_ID|FILE.xlsx [--raw DIR] [--out FILE]
      remove an imported workbook's document (bundled text documents cannot be deleted)

Exit status: 0 built / written (or already fresh), 1 the ETL refused the input (Japanese
message on stderr, previous warehouse untouched), 2 usage error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl import history
from etl.build_status import clear_failure, record_failure
from etl.errors import EtlError, TemplateExportError
from etl.leftovers import remove_stale
from etl.pipeline import BuildReport, build
from etl.workbook import export_workbook, template_bytes
from settings import ROOT, raw_dir, warehouse_path


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
    if report.not_imported:
        print(f"取り込まなかったファイル ({len(report.not_imported)} 件):")
        for issue in report.not_imported:
            print(f"  {issue.message} — {issue.resolution}")


def _shown(path: Path) -> Path:
    """A default path as the help shows it: relative to the repository when inside it."""
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path


def _write(path: Path, data: bytes) -> None:
    if path.suffix.lower() != ".xlsx":
        raise TemplateExportError(f"書き出し先 {path} は .xlsx にしてください。")
    try:
        path.write_bytes(data)
    except OSError as error:
        raise TemplateExportError(f"{path} に書き込めません: {error.strerror}") from error


def command_parser(prog: str, description: str, **kwargs) -> argparse.ArgumentParser:
    """An argparse parser whose own -h/--help is described in Japanese, like every other option."""
    parser = argparse.ArgumentParser(prog=prog, description=description, add_help=False, **kwargs)
    parser.add_argument("-h", "--help", action="help", help="このヘルプを表示して終了します")
    return parser


def template_command(argv: list[str]) -> int:
    parser = command_parser("python -m etl template", "取り込み用の Excel テンプレートを書き出します")
    parser.add_argument("path", type=Path, help="書き出す .xlsx ファイル")
    args = parser.parse_args(argv)
    return _run(lambda: _write(args.path, template_bytes()), f"テンプレートを書き出しました: {args.path}")


def export_template_command(argv: list[str]) -> int:
    parser = command_parser("python -m etl export-template", "倉庫の自治体の文書をテンプレートの形で書き出します")
    parser.add_argument("municipality", help="自治体名か自治体コード（例: 苫小牧市、132063）")
    parser.add_argument("path", type=Path, help="書き出す .xlsx ファイル")
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), metavar="FILE",
                        help=f"読み出す倉庫ファイル (既定: {_shown(warehouse_path())}、環境変数 GYOKAKU_WAREHOUSE で変更可)")
    parser.add_argument("--document", metavar="ID", help="自治体に文書が複数あるときの文書ID (document_id)")
    args = parser.parse_args(argv)
    return _run(lambda: _write(args.path, export_workbook(args.warehouse, args.municipality, args.document)),
                f"{args.municipality} の文書を書き出しました: {args.path}")


def _run(action, done: str) -> int:
    try:
        action()
    except EtlError as error:
        print(f"エラー ({error.stage}): {error}", file=sys.stderr)
        return 1
    print(done)
    return 0


def _waiting() -> None:
    print("… 別の取り込み・倉庫の作成が終わるのを待っています", file=sys.stderr, flush=True)


def _out_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=warehouse_path(), metavar="FILE",
                        help=f"倉庫ファイル。履歴はその隣の history/ にあります "
                             f"(既定: {_shown(warehouse_path())}、環境変数 GYOKAKU_WAREHOUSE で変更可)")


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, default=raw_dir(), metavar="DIR",
                        help=f"文書のフォルダー (既定: {_shown(raw_dir())}、環境変数 GYOKAKU_RAW で変更可)")
    _out_argument(parser)


def history_command(argv: list[str]) -> int:
    parser = command_parser("python -m etl history",
                            "倉庫の作成・取り込み・削除・取り消しの履歴を新しい順に表示します")
    _out_argument(parser)
    args = parser.parse_args(argv)
    print(history.text_table(history.rows(args.out)))
    return 0


def undo_command(argv: list[str]) -> int:
    parser = command_parser("python -m etl undo",
                            "まだ取り消していない最新の操作の前の状態に、倉庫と data/raw をいっしょに戻します")
    _paths(parser)
    args = parser.parse_args(argv)

    def action() -> str:
        entry = history.undo(args.out, args.raw, history.os_user(), _waiting)
        undone = next(e for e in history.entries(args.out) if e.id == entry.undoes)
        return (f"履歴 {undone.id} 番（{history.ACTIONS[undone.action]} {undone.file or ''} {undone.local_time}）を"
                f"取り消しました（履歴 {entry.id} 番として記録）。")
    return _run_reporting(action)


def delete_command(argv: list[str]) -> int:
    parser = command_parser("python -m etl delete",
                            "取り込んだブックの文書を倉庫と data/raw から削除します (python -m etl undo で戻せます)")
    parser.add_argument("document", metavar="DOCUMENT_ID|FILE.xlsx", help="文書ID (document_id) またはブックのファイル名")
    _paths(parser)
    args = parser.parse_args(argv)

    def action() -> str:
        from etl.removal import delete_document

        document, _report = delete_document(args.document, args.raw, args.out, waiting=_waiting)
        return (f"{document.municipality}「{document.title}」({document.document_id}, {document.file}) を削除しました。"
                "元に戻すには python -m etl undo を実行してください。")
    return _run_reporting(action)


def _run_reporting(action) -> int:
    try:
        done = action()
    except EtlError as error:
        print(f"エラー ({error.stage}): {error}", file=sys.stderr)
        return 1
    print(done)
    return 0


COMMANDS = {"template": template_command, "export-template": export_template_command,
            "history": history_command, "undo": undo_command, "delete": delete_command}
# Each sub-command's arguments and what it does, for ``python -m etl --help`` (each sub-command
# also has its own ``--help``).
COMMAND_HELP = {
    "template": ("PATH.xlsx", "取り込み用の空の Excel テンプレートを書き出す"),
    "export-template": ("自治体 PATH.xlsx [--warehouse FILE] [--document ID]",
                        "倉庫にある自治体の文書をテンプレートの形で書き出す (直して取り込み直せます)"),
    "history": ("[--out FILE]", "倉庫の作成・取り込み・削除・取り消しの履歴を新しい順に表示する"),
    "undo": ("[--raw DIR] [--out FILE]", "まだ取り消していない最新の操作の前の状態に、倉庫と data/raw を戻す"),
    "delete": ("DOCUMENT_ID|FILE.xlsx [--raw DIR] [--out FILE]",
               "取り込んだブックの文書を削除する (組み込みの文書は削除できません。undo で戻せます)"),
}


def commands_epilog() -> str:
    lines = ["サブコマンド (それぞれ --help で説明):"]
    for name in COMMANDS:
        arguments, meaning = COMMAND_HELP.get(name, ("", ""))
        lines += [f"  python -m etl {name} {arguments}".rstrip(), f"      {meaning}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    parser = command_parser(
        "python -m etl",
        "data/raw の文書 (manifest.csv の文書と取り込みテンプレートのブック) から倉庫を作成します。\n"
        "一時ファイルに作成・検証してから置き換えるので、入力に問題があれば以前の倉庫が\n"
        "そのまま残ります (終了コード 1)。",
        epilog=commands_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", type=Path, default=raw_dir(), metavar="DIR",
                        help=f"文書のフォルダー (既定: {_shown(raw_dir())}、環境変数 GYOKAKU_RAW で変更可)")
    parser.add_argument("--out", type=Path, default=warehouse_path(), metavar="FILE",
                        help=f"作成する倉庫ファイル (既定: {_shown(warehouse_path())}、環境変数 GYOKAKU_WAREHOUSE で変更可)")
    parser.add_argument("--if-stale", action="store_true",
                        help="倉庫がないか、文書・ETL のコードより古いときだけ作成する")
    parser.add_argument("--quiet", action="store_true", help="進み具合を表示しない (結果とエラーは表示)")
    args = parser.parse_args(argv)

    remove_stale(raw=args.raw, target=args.out, import_dirs=True)  # what killed runs left (dead owners only)

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"… {message}", file=sys.stderr, flush=True)

    try:
        # Under the write lock, so a rebuild never overwrites an import running in the dashboard
        # (and the staleness is judged after any such import has finished).
        with history.locked(args.out, args.raw, (lambda: None) if args.quiet else _waiting):
            if args.if_stale and not is_stale(args.raw, args.out):
                clear_failure(args.out)  # newer than every input: nothing has failed since
                print(f"倉庫は最新です: {args.out}")
                return 0
            with history.recording(args.out, args.raw, "rebuild", history.os_user()) as change:
                report = build(args.raw, args.out, progress)
                change.counts = report.counts
    except EtlError as error:
        record_failure(args.out, error.stage, str(error), args.raw)  # shown by the dashboard
        print(f"エラー ({error.stage}): {error}", file=sys.stderr)
        print("以前の倉庫はそのまま残っています。入力を直してから再実行してください。", file=sys.stderr)
        return 1
    except Exception as error:
        record_failure(args.out, "ETL", f"予期しないエラーです（{type(error).__name__}）。管理者に連絡してください。",
                       args.raw)
        raise
    clear_failure(args.out)
    print_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
