"""Hostile workbooks: each attack is refused by ``check`` with its Japanese message, before
openpyxl builds anything from it, and an import of it writes nothing (raw folder and warehouse
unchanged)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.errors import WorkbookError
from etl.pipeline import build
from etl.upload import import_workbook
from etl.workbook import check, limits
from etl.workbook.limits import MAX_CELL_CHARS, MAX_SHEETS, MAX_TEXT_CHARS
from tests.conftest import RAW_DIR
from tests.etl import hostile
from tests.etl.conftest import run_etl


def errors(data: bytes, name: str = "attack.xlsx") -> list[str]:
    result = check(data, name)
    assert not result.ok and result.extract is None
    return [p.line(name) for p in result.errors]


def test_a_cell_of_95_million_characters_is_refused_with_its_place():
    lines = errors(hostile.huge_inline_cell(95_000_000))
    assert lines[0] == ("attack.xlsx:取組!3: D列のセルの文字数が多すぎます（95,000,000 文字、"
                        f"1セルの上限 {MAX_CELL_CHARS:,} 文字）。文章を短くしてください。")
    assert f"合計 {MAX_TEXT_CHARS:,} 文字を超えています" in lines[1]


def test_a_cell_just_over_the_excel_limit_is_refused_and_one_at_it_is_not():
    assert len(errors(hostile.huge_inline_cell(MAX_CELL_CHARS + 1))) == 1
    assert check(hostile.huge_inline_cell(MAX_CELL_CHARS), "ok.xlsx").ok


def test_characters_beyond_the_bmp_count_twice_like_excel():
    emoji = "𠮷".encode()  # one character, two UTF-16 units
    assert len(errors(hostile.rezip(lambda n, b: hostile.set_cell(
        b, "D3", hostile.inline_text_cell("D3", emoji * (MAX_CELL_CHARS // 2 + 1)))
        if n == hostile.INITIATIVES_PART else b))) == 1


def test_an_overlong_shared_string_is_located_at_the_cell_that_shows_it():
    data = hostile.with_shared_strings([b"ok", b"B" * 40_000], {"D3": 0, "D5": 1})
    assert errors(data) == ["attack.xlsx:取組!5: D列のセルの文字数が多すぎます（40,000 文字、"
                            f"1セルの上限 {MAX_CELL_CHARS:,} 文字）。文章を短くしてください。"]


def test_an_overlong_shared_string_no_cell_shows_is_refused_too():
    data = hostile.with_shared_strings([b"ok", b"B" * 40_000], {"D3": 0})
    assert errors(data) == [f"attack.xlsx: ブックに1セルの上限（{MAX_CELL_CHARS:,} 文字）を超える文字列があります"
                            "（40,000 文字）。文章を短くしてください。"]


def test_total_text_counts_every_cell_that_shows_a_shared_string():
    # one 30,000-character string (legal in a cell), shown in 200 rows: 6 million characters
    data = hostile.with_shared_strings([b"B" * 30_000], {"D3": 0}, extra_rows=200)
    assert len(data) < 50_000
    assert errors(data) == [f"attack.xlsx: ブックの文字数が多すぎます（合計 {MAX_TEXT_CHARS:,} 文字を超えています）。"
                            f"1つのブックに入れられる文字は合計 {MAX_TEXT_CHARS:,} 文字までです。"]


def test_thousands_of_sheet_entries_are_refused_before_any_is_scanned(monkeypatch):
    scanned = []
    monkeypatch.setattr(limits, "scan_part", lambda *a, **k: scanned.append(a) or pytest.fail("scanned"))
    assert errors(hostile.many_sheet_entries(2000)) == [
        f"attack.xlsx: シートが多すぎます（2,009 枚、上限 {MAX_SHEETS} 枚）。テンプレートのシートだけを残して保存し直してください。"]


def test_sheet_entries_sharing_one_part_scan_it_once(monkeypatch):
    parts = []
    real = limits.scan_part
    monkeypatch.setattr(limits, "scan_part", lambda archive, part, **k: parts.append(part) or real(archive, part, **k))
    result = check(hostile.many_sheet_entries(30), "copies.xlsx")
    assert result.ok  # the copies are not template sheets: warned about, not read
    assert len(parts) == len(set(parts)) == 9
    assert len([p for p in result.warnings if p.message_ja.startswith("このシートはテンプレートのシートではない")]) == 30


@pytest.mark.parametrize("part", ["docProps/core.xml", "xl/styles.xml", "xl/workbook.xml",
                                  hostile.INITIATIVES_PART])
def test_a_damaged_xml_part_is_named(part):
    assert errors(hostile.damaged_part(part)) == [
        f"attack.xlsx: ブックの一部（{part} の 1 行目）が壊れているため読めません。"
        "Excel で開けるか確かめ、.xlsx で保存し直してください。"]


@pytest.mark.parametrize("build_attack, part", [(hostile.entity_expansion, "xl/sharedStrings.xml"),
                                                (hostile.external_entity, hostile.INITIATIVES_PART)])
def test_entity_expansion_and_external_entities_are_refused(build_attack, part):
    assert errors(build_attack()) == [
        f"attack.xlsx: ブックの一部（{part}）に文書型宣言 (<!DOCTYPE>) があります。"
        "Excel が保存するブックにはないもので、外部参照や実体展開に使われるため取り込みません。"
        "Excel で開いて .xlsx で保存し直してください。"]


def test_a_zip_bomb_is_refused_from_the_stated_sizes():
    data = hostile.zip_bomb(120)
    assert len(data) < 1_000_000
    assert errors(data) == ["attack.xlsx: ブックを展開すると大きすぎます（120 MB、上限 100 MB）。"]


# ---- an import of any of them writes nothing ----

ATTACKS = {
    "huge_cell": lambda: hostile.huge_inline_cell(1_000_000),
    "total_text": lambda: hostile.with_shared_strings([b"B" * 30_000], {"D3": 0}, extra_rows=200),
    "sheets": lambda: hostile.many_sheet_entries(2000),
    "core": lambda: hostile.damaged_part("docProps/core.xml"),
    "styles": lambda: hostile.damaged_part("xl/styles.xml"),
    "entities": hostile.entity_expansion,
    "xxe": hostile.external_entity,
}


@pytest.fixture(scope="module")
def raw_and_warehouse(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    raw = folder / "raw"
    shutil.copytree(RAW_DIR, raw)
    target = folder / "warehouse.duckdb"
    build(raw, target)
    return raw, target


def snapshot(raw: Path, target: Path) -> tuple:
    return sorted((p.name, p.stat().st_size) for p in raw.iterdir()), target.read_bytes(), \
        sorted(p.name for p in target.parent.iterdir())


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_import_of_an_attack_writes_nothing(attack, raw_and_warehouse):
    raw, target = raw_and_warehouse
    before = snapshot(raw, target)
    with pytest.raises(WorkbookError) as error:
        import_workbook(ATTACKS[attack](), f"{attack}.xlsx", raw, target)
    assert str(error.value).startswith(f"{attack}.xlsx: エラー 1 件のため取り込みませんでした。")
    assert snapshot(raw, target) == before


def test_the_cli_names_a_damaged_workbook_in_the_raw_folder_without_a_traceback(raw_copy, built_warehouse,
                                                                                tmp_path):
    (raw_copy / "damaged.xlsx").write_bytes(hostile.damaged_part("docProps/core.xml"))
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    before = target.read_bytes()
    result = run_etl(raw_copy, target)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "damaged.xlsx: ブックの一部（docProps/core.xml の 1 行目）が壊れているため読めません。" in result.stderr
    assert target.read_bytes() == before
