"""The 比較 panel: one municipality beside its prefecture and 全体 (the whole warehouse).

``comparison_panel(municipality)`` draws it from ``warehouse.compare.panel`` (one cached query):
a compact table, one column per group, and a line saying where a group cannot compare (only one
member, no grades, no 人口). Any page with a single municipality selected can call it. With no
municipality chosen it shows 全体 and every prefecture instead (``warehouse.compare.prefectures``).
"""
from __future__ import annotations

import polars as pl
import streamlit as st

from ui.markdown import md
from ui.tables import data_table
from vocab import CRITERIA, GRADES, NO_VALUE, fy_label_long
from warehouse.compare import Group, Panel, panel, prefectures
from yen import yen_text


def _years(group: Group) -> str:
    if group.last_year is None:
        return NO_VALUE
    first, last = group.first_year, group.last_year
    if first == last:
        return fy_label_long(last)
    start, end = (fy_label_long(y).split(" (")[0] for y in (first, last))  # 令和5年度, 令和6年度
    if start[:2] == end[:2]:  # one era: 令和5〜6年度 (2023〜2024)
        return f"{start.removesuffix('年度')}〜{end[2:]} ({first}〜{last})"
    return f"{start}〜{end} ({first}〜{last})"


def _share(group: Group, grade: str) -> str:
    share = group.share(grade)
    return NO_VALUE if share is None else f"{share * 100:.0f}%（{group.grades[grade]:,} 件）"


def _criterion(group: Group, criterion: str) -> str:
    value = group.criteria[criterion]
    if value is None:
        return NO_VALUE
    members = group.criteria_members[criterion]  # said only where it is not 評価のある自治体 of the column
    return f"{value:.2f}" + ("" if members == group.graded_members else f"（{members:,} 自治体）")


def _per_capita(group: Group) -> str:
    return "人口の記載なし" if group.per_capita is None else f"{group.per_capita:,.0f} 円/人"


def rows(result: Panel) -> list[tuple[str, list[str]]]:
    """The panel as (項目, one text per group) rows: what the table shows, also for tests. The
    「…のある自治体」 rows are n: how many municipalities the figures below them come from."""
    groups = result.groups
    out = [("自治体数", [f"{g.members:,}" for g in groups]),
           ("総合評価の年度", [_years(g) for g in groups]),
           ("評価のある自治体", [f"{g.graded_members:,}" for g in groups]),
           ("総合評価のある取組", [f"{g.graded:,} 件" if g.graded else "評価なし" for g in groups])]
    out += [(f"総合評価 {grade}", [_share(g, grade) for g in groups]) for grade in GRADES]
    out += [(f"{c}の平均", [_criterion(g, c) for g in groups]) for c in CRITERIA]
    out += [("財政効果のある自治体", [f"{g.money_members:,}" for g in groups]),
            ("財政効果額（集計）", ["記載なし" if g.fiscal_effect is None else yen_text(g.fiscal_effect)
                           for g in groups])]
    if any(g.population is not None for g in groups):  # else one note says so, not three rows of 記載なし
        out += [("人口の記載がある自治体", [f"{g.population_members:,}" for g in groups]),
                ("人口", ["記載なし" if g.population is None else f"{g.population:,} 人" for g in groups]),
                ("1人あたり財政効果額", [_per_capita(g) for g in groups])]
    return out


def notes(result: Panel, municipality: str | None) -> list[str]:
    """Sentences for what the table cannot say by itself: a group of one, groups without data."""
    out = []
    if municipality and result.municipality is None:
        out.append(f"「{municipality}」は倉庫の市区町村にないか都道府県自身のため、都道府県ごとの表を示します。")
    mine, prefecture = result.municipality, result.prefecture
    if mine is not None and prefecture is None:
        out.append(f"{mine.name}の都道府県が分からないため、都道府県の列はありません。")
    if prefecture is not None and prefecture.members == 1:
        out.append(f"{prefecture.name}の自治体はこの倉庫に{mine.name}だけです。"
                   f"都道府県の列は{mine.name}と同じ値で、比べる相手がいません。")
    elif prefecture is not None and prefecture.graded_members <= 1 and mine.graded:
        out.append(f"{prefecture.name}で総合評価のある自治体は{mine.name}だけです。")
    for group in result.groups:
        if not group.graded:
            out.append(f"{group.name}には総合評価・観点別の評価がありません。")
    if all(g.population is None for g in result.groups):
        out.append("人口はどの計画にも記載がないため、1人あたりの金額は示せません"
                   "（テンプレートの計画シートの「人口」に記入すると示します）。")
    return out


def _table(result: Panel) -> str:
    header = ["項目"] + [f"{g.scope}：{g.name}" if g.scope != "全体" else "全体" for g in result.groups]
    lines = ["| " + " | ".join(md(h) for h in header) + " |",
             "|" + "---|" + "---:|" * len(result.groups)]
    lines += ["| " + " | ".join([label] + [md(v) for v in values]) + " |" for label, values in rows(result)]
    return "\n".join(lines)


def prefecture_table(groups: tuple[Group, ...]) -> pl.DataFrame:
    """全体 and one row per prefecture: the panel's figures as numbers a table can sort."""
    def share(g: Group, grade: str) -> float | None:
        value = g.share(grade)
        return None if value is None else value * 100

    return pl.DataFrame({
        "都道府県": [g.name for g in groups],
        "自治体数": [g.members for g in groups],
        "評価あり": [g.graded_members for g in groups],
        **{f"{grade} (%)": [share(g, grade) for g in groups] for grade in GRADES},
        **{c: [g.criteria[c] for g in groups] for c in CRITERIA},
        "財政効果額": ["記載なし" if g.fiscal_effect is None else yen_text(g.fiscal_effect) for g in groups],
        "人口あり": [g.population_members for g in groups],
        "1人あたり円": [None if g.per_capita is None else round(g.per_capita) for g in groups],
    }, schema_overrides={f"{grade} (%)": pl.Float64 for grade in GRADES}
       | {c: pl.Float64 for c in CRITERIA} | {"1人あたり円": pl.Int64})


_PREFECTURE_COLUMNS = {
    **{f"{grade} (%)": st.column_config.NumberColumn(format="%.0f%%", help=f"総合評価が {grade} の取組の割合")
       for grade in GRADES},
    **{c: st.column_config.NumberColumn(format="%.2f", help=f"{c}の平均 (0〜3)") for c in CRITERIA},
    "評価あり": st.column_config.NumberColumn(help="総合評価のある自治体の数"),
    "人口あり": st.column_config.NumberColumn(help="人口の記載がある自治体の数"),
    "1人あたり円": st.column_config.NumberColumn(format="localized", help="1人あたり財政効果額（円/人、人口の記載がある自治体だけ）"),
}


def _by_prefecture(municipality: str | None) -> None:
    """No municipality chosen: 全体 and every prefecture, one row each (sortable)."""
    table = prefecture_table(prefectures())
    data_table(table, key="comparison_prefectures",
               column_config=_PREFECTURE_COLUMNS, height=min(36 * (table.height + 1) + 3, 430))
    if not municipality:
        st.caption("サイドバーで自治体を選ぶと、その自治体をその都道府県・全体と並べて比べます。")


def comparison_panel(municipality: str | None, heading: bool = True) -> Panel:
    """Draw the 比較 panel for the filter bar's 自治体 and return its numbers; with none chosen
    (or one not in the warehouse), 全体 and each prefecture instead."""
    result = panel(municipality)
    if heading:
        title = (f"{result.municipality.name}を都道府県・全体と比べる" if result.municipality
                 else "都道府県ごとの評価と財政効果")
        st.markdown(f"##### {md(title)}")
    with st.container(border=True, key="comparison_panel"):
        if result.municipality is None:
            _by_prefecture(municipality)
        else:
            st.markdown(_table(result))
        st.caption("総合評価と観点別の評価（0〜3）は各計画の最新の年度の自己評価（総括は除く）で、割合・平均は取組の件数で数えます。"
                   "財政効果額は集計に入る金額 (fiscal_effects.counted) の全年度の合計、1人あたりは人口の記載がある自治体だけで"
                   "計算します。"
                   + ("「…のある自治体」はその下の値がいくつの自治体から出たかを示します。" if result.municipality else "")
                   + "都道府県自身（例: 東京都の事例集）はどの列にも入りません。"
                   "年度・テーマなど自治体以外の絞り込みは、この表には使いません。")
        for note in notes(result, municipality):
            st.caption(md(note))
    return result
