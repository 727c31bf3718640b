"""Who did it: golden attributions of the Tokyo DX cases the collection prints without a
municipality (etl/attribution.py), and the joint cases in initiative_municipalities.

Each expectation quotes the line of tokyo_dx_jirei_2024.txt it comes from.
"""
from __future__ import annotations

import json

import pytest

from etl.attribution import Lexicon, attribute, read_lexicon
from etl.errors import ManifestError
from etl.model import Extract, Initiative, Narrative
from etl.pipeline import read_municipality_codes
from tests.conftest import RAW_DIR

DOC_ID = "tokyo-dx-2024"

# case -> (municipality, 判定, the evidence sentence starts with, its line)
GOLDEN = {
    1: ("千代田区", "本文", "- ▶ オンラインでの申請や予約、決済、相談を集約した「千代田区ポータルサイト」", 16),
    20: ("目黒区", "本文", "- ・また、忙しさもあり負担に感じるという職員の意見もあり", 812),
    28: ("板橋区", "本文", "次回開催：令和6年7月9日(火)ItabashiDXCollection", 1145),
    31: ("江戸川区", "本文", "令和3年度に約18万世帯へ実施したひきこもり実態調査で", 1273),
    35: ("府中市", "本文", "具体的には、生成AIのリテラシー及びCopilotの利活用", 1406),
    37: ("町田市", "本文", "・町田市自然休暇村（長野県川上村）の改修工事において", 1494),
    51: ("調布市", "推定", "例えば、調布市近辺で野球場を探したい場合", 2004),
}
# Cases whose only hints name an outside body: they must stay NULL.
OUTSIDE_BODIES = {
    6: "東京情報デザイン専門職大学",  # line 284: 東京情報デザイン専門職大学とプロジェクトチームを立ち上げ
    12: "東京都",  # line 496: 東京都の定める「防災都市づくり推進計画」
    45: "Govtech東京",  # line 1765: Govtech東京と自治体職員の混成チーム
    57: "東京都国保連合会",  # line 2229: 東京都国保連合会内にある都内自治体に横展開ができる
}


def row(warehouse, n: int) -> dict:
    found = warehouse.execute("SELECT municipality, extra FROM initiatives WHERE initiative_id = ?",
                          [f"{DOC_ID}/DX事例:{n}"]).fetchall()[0]
    return {"municipality": found[0], "extra": json.loads(found[1])}


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_golden_attribution_with_its_sentence(warehouse, case):
    municipality, basis, sentence, line = GOLDEN[case]
    got = row(warehouse, case)
    assert got["municipality"] == municipality
    assert got["extra"]["自治体の判定"] == basis
    assert got["extra"]["自治体の根拠"].startswith(sentence)
    assert got["extra"]["自治体の根拠行"] == line


def test_inferred_case_says_why(warehouse):
    # line 1998: 今年度当市は、施設予約システムの更新を見据え… — the only city it names is its example
    assert row(warehouse, 51)["extra"]["自治体の判定理由"] == \
        "本文は自らを「当市」と呼び、名前を挙げる市は例示の調布市だけです"


@pytest.mark.parametrize("case", sorted(OUTSIDE_BODIES))
def test_outside_body_hints_stay_unattributed(warehouse, case):
    assert row(warehouse, case)["municipality"] is None
    [(message,)] = warehouse.execute(
        "SELECT q.message FROM _data_quality q WHERE q.kind = 'unattributed' AND q.initiative_id = ?",
        [f"{DOC_ID}/DX事例:{case}"]).fetchall()
    assert OUTSIDE_BODIES[case] in message and "手がかり (自治体ではない)" in message


def test_every_unattributed_case_has_a_data_quality_row(warehouse):
    nulls = {r[0] for r in warehouse.execute("SELECT initiative_id FROM initiatives WHERE municipality IS NULL").fetchall()}
    noted = {r[0] for r in warehouse.execute("SELECT initiative_id FROM _data_quality WHERE kind = 'unattributed'").fetchall()}
    assert len(nulls) == 18 and nulls == noted
    # every data_quality row is public too (the view has no initiative_id; its location names the line)
    assert warehouse.execute("SELECT count(*) FROM data_quality WHERE kind = 'unattributed'").fetchall()[0][0] == 18


def test_chiyoda_is_a_municipality_with_its_code(warehouse):
    assert warehouse.execute("SELECT prefecture, code FROM municipalities WHERE municipality = '千代田区'").fetchall()[0] \
        == ("東京都", "131016")


def test_joint_cases_belong_to_every_partner(warehouse):
    rows = warehouse.execute("SELECT initiative_id, municipality, role FROM initiative_municipalities "
                         "WHERE initiative_id IN (?, ?) ORDER BY ALL",
                         [f"{DOC_ID}/DX事例:39", f"{DOC_ID}/DX事例:60"]).fetchall()
    assert rows == [(f"{DOC_ID}/DX事例:39", "多摩市", "共同"), (f"{DOC_ID}/DX事例:39", "日野市", "主体"),
                    (f"{DOC_ID}/DX事例:39", "稲城市", "共同"),
                    (f"{DOC_ID}/DX事例:60", "江戸川区", "共同"), (f"{DOC_ID}/DX事例:60", "目黒区", "主体")]


def test_one_row_per_initiative_and_municipality_with_one_lead(warehouse):
    assert warehouse.execute("SELECT count(*) FROM (SELECT initiative_id, municipality FROM initiative_municipalities "
                         "GROUP BY ALL HAVING count(*) > 1)").fetchall()[0][0] == 0
    leads = warehouse.execute("SELECT count(*) FROM initiative_municipalities WHERE role = '主体'").fetchall()[0][0]
    assert leads == warehouse.execute("SELECT count(municipality) FROM initiatives").fetchall()[0][0]
    assert warehouse.execute("SELECT count(*) FROM initiatives i JOIN initiative_municipalities m "
                         "ON m.initiative_id = i.initiative_id AND m.role = '主体' "
                         "WHERE m.municipality <> i.municipality").fetchall()[0][0] == 0


def test_edogawa_has_cases_31_and_60(warehouse):
    ids = [r[0] for r in warehouse.execute("SELECT initiative_id FROM initiative_municipalities WHERE municipality = "
                                       "'江戸川区' ORDER BY 1").fetchall()]
    assert ids == [f"{DOC_ID}/DX事例:31", f"{DOC_ID}/DX事例:60"]


# ---------------------------------------------------------------- the rule on small inputs

def _lexicon() -> Lexicon:
    return read_lexicon(RAW_DIR, read_municipality_codes(RAW_DIR))


def _one(text: str, title: str = "") -> tuple[Initiative, list]:
    extract = Extract(initiatives=[Initiative("X:1", "DX事例", "1", title, 1, municipality=None)],
                      narratives=[Narrative("X:1", None, "経緯・動機", text, 2)])
    issues = attribute(extract, _lexicon())
    return extract.initiatives[0], issues


def test_two_names_stay_unattributed():
    item, issues = _one("三鷹市と調布市の職員が参加した。")
    assert item.municipality is None
    assert "複数の自治体名" in issues[0].message and "三鷹市、調布市" in issues[0].message


def test_example_without_self_reference_stays_unattributed():
    item, issues = _one("例えば、調布市のように予約システムを統一する。")
    assert item.municipality is None and "例示の中だけ" in issues[0].message


def test_self_reference_of_another_kind_does_not_infer():
    item, _ = _one("当区では検討中。例えば、調布市のように予約システムを統一する。")
    assert item.municipality is None  # 当区 is a ward; 調布市 is a city


def test_prefecture_name_is_not_a_municipality():
    item, issues = _one("東京都の計画に基づき実施した。")
    assert item.municipality is None and "東京都" in issues[0].message


def test_alias_file_rejects_an_unknown_municipality(tmp_path):
    (tmp_path / "municipality_aliases.csv").write_text("alias,municipality,evidence\nFoo,架空市,test\n",
                                                        encoding="utf-8")
    with pytest.raises(ManifestError, match=r"municipality_aliases.csv:2: municipality「架空市」"):
        read_lexicon(tmp_path, read_municipality_codes(RAW_DIR))


def test_workbook_partner_rows_become_partners(tmp_path):
    """A template's 関係自治体 row with a 番号 makes that municipality a 共同 of the initiative."""
    import shutil
    from pathlib import Path

    import duckdb

    from etl.pipeline import build

    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    shutil.copy(Path(__file__).parent / "workbooks" / "kakuu-city-plan.xlsx", raw / "kakuu-city-plan.xlsx")
    build(raw, tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT municipality, role FROM initiative_municipalities WHERE initiative_id = ? "
                           "ORDER BY role", ["xlsx-kakuu-city-plan/1-3"]).fetchall()
    finally:
        con.close()
    assert rows == [("架空市", "主体"), ("架空町", "共同")]  # 関係自治体: 架空町, 番号 1-3
