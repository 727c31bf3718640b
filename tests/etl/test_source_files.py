"""The ETL's own failure modes: a source text file that is cut off in the middle of a character,
saved in Shift_JIS, or empty gets one Japanese line naming the file (never a traceback) and the
previous warehouse stays; ``python -m etl`` names every file of data/raw it did not import."""
from __future__ import annotations

import shutil

import pytest

from tests.etl.conftest import run_etl

KOMAE = "komae_gyozaisei_kaikaku_shinchoku_r3.txt"


def _refused(raw, tmp_path, built_warehouse) -> str:
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    before = target.read_bytes()
    result = run_etl(raw, target)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert (tmp_path / "warehouse.build-error.json").exists()  # the failure, for the dashboard
    first, second = result.stderr.strip().splitlines()
    assert second == "以前の倉庫はそのまま残っています。入力を直してから再実行してください。"
    return first


def test_a_document_cut_off_inside_a_character(raw_copy, tmp_path, built_warehouse):
    path = raw_copy / KOMAE
    data = path.read_bytes()
    cut = data.rindex("。".encode()) + 1  # inside the last 「。」 (three bytes in UTF-8)
    path.write_bytes(data[:cut])
    line = data[:cut].count(b"\n") + 1
    assert _refused(raw_copy, tmp_path, built_warehouse) == (
        f"エラー (読み込み): data/raw/{KOMAE}:{line}: ファイルの末尾で文字が途中で切れています（{cut:,} バイト目）。"
        "ファイルが最後まで保存されているか確かめ、元の文書をもう一度置いてください。")


def test_a_document_saved_in_shift_jis(raw_copy, tmp_path, built_warehouse):
    path = raw_copy / KOMAE
    data = path.read_text(encoding="utf-8").encode("cp932", errors="replace")
    path.write_bytes(data)
    first = next(i for i, byte in enumerate(data) if byte >= 0x80)  # the first Japanese character
    line = data.count(b"\n", 0, first) + 1
    message = _refused(raw_copy, tmp_path, built_warehouse)
    assert message.startswith(f"エラー (読み込み): data/raw/{KOMAE}:{line}: "
                              f"UTF-8 の文字として読めません（{first + 1:,} バイト目）。")
    assert message.endswith("Shift_JIS で保存されているようです。UTF-8 で保存し直してください。")


@pytest.mark.parametrize("name", [KOMAE, "manifest.csv", "corrections.csv", "municipality_codes.csv"])
def test_an_empty_file(name, raw_copy, tmp_path, built_warehouse):
    (raw_copy / name).write_bytes(b"")
    assert _refused(raw_copy, tmp_path, built_warehouse) == (
        f"エラー (読み込み): data/raw/{name}: ファイルが空です。元の文書を保存し直してください。")


def test_a_manifest_saved_in_shift_jis(raw_copy, tmp_path, built_warehouse):
    path = raw_copy / "manifest.csv"
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("cp932", errors="replace"))
    assert "data/raw/manifest.csv:2: UTF-8 の文字として読めません" in _refused(raw_copy, tmp_path, built_warehouse)


def test_every_file_not_imported_is_named(raw_copy, tmp_path):
    (raw_copy / "stray_notes.txt").write_text("メモ", encoding="utf-8")
    (raw_copy / "old_plan.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (raw_copy / ".hidden").write_text("x", encoding="utf-8")  # not a document: never listed
    result = run_etl(raw_copy, tmp_path / "w.duckdb")
    assert result.returncode == 0, result.stderr
    tail = result.stdout[result.stdout.index("取り込まなかったファイル"):].splitlines()
    assert tail == [
        "取り込まなかったファイル (2 件):",
        "  data/raw/old_plan.xls はマクロ付き・旧形式のブックのため取り込めません — "
        "Excel で「Excel ブック (*.xlsx)」として保存し直してください",
        "  data/raw/stray_notes.txt はマニフェストにありません — "
        "取り込んでいません。manifest.csv に行を追加するか、ファイルを移動してください",
    ]
