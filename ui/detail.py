"""The detail panel of one initiative: hierarchy, yearly scores, narratives, money, source."""
from __future__ import annotations

import polars as pl
import streamlit as st

from charts.theme import fy_label
from ui.downloads import table_downloads
from ui.filter_bar import current_filters
from ui.plain import md
from warehouse import queries

CRITERIA = list(queries.CRITERIA) + ["合計"]
EVALUATOR_LABELS = {"self": "自己評価", "committee": "委員評価"}


def yearly_scores(evaluations: pl.DataFrame) -> pl.DataFrame:
    """Year-by-year table: one row per (年度, 評価者), criteria as columns, grade last."""
    if evaluations.is_empty():
        return evaluations
    scored = evaluations.with_columns(
        pl.col("fiscal_year").map_elements(fy_label, return_dtype=pl.String).fill_null("総括").alias("年度"),
        pl.col("evaluator").replace_strict(EVALUATOR_LABELS, default=pl.col("evaluator")).alias("評価者"),
        pl.when(pl.col("grade").is_not_null()).then(pl.col("grade"))
          .otherwise(pl.col("score").round(1).cast(pl.String)).alias("値"),
    )
    order = {c: i for i, c in enumerate(CRITERIA + ["総合評価", "委員評価"])}
    wide = scored.pivot(on="criterion", index=["年度", "評価者"], values="値", aggregate_function="first")
    columns = sorted((c for c in wide.columns if c not in ("年度", "評価者")), key=lambda c: order.get(c, 99))
    return wide.select("年度", "評価者", *columns)


def render_detail(initiative_id: str) -> None:
    detail = queries.initiative_detail(initiative_id)
    if detail is None:
        st.warning("この取組は現在のデータにありません (倉庫が作り直された可能性があります)。")
        return
    row = detail.row
    code = f"{row['code']} " if row["code"] else ""
    st.subheader(md(f"{row['level']} {code}{row['title']}"))
    facts = [row["municipality"] or "自治体の記載なし"]
    if row["departments"]:
        facts.append("担当: " + "、".join(row["departments"]))
    if row["themes"]:
        facts.append("テーマ: " + "、".join(row["themes"]))
    if row["end_fy"]:
        facts.append(f"取組終了: {fy_label(row['end_fy'])}")
    st.caption(md(" ／ ".join(facts)))

    with st.container(border=True):
        st.markdown("**階層**")
        if detail.parent:
            p = detail.parent
            st.markdown(md(f"上位: {p['level']} {p['code'] or ''} {p['title']}"))
        st.markdown(md(f"この取組: {row['level']} {code}{row['title']}"))
        if not detail.children.is_empty():
            st.markdown(md(f"下位 ({len(detail.children)} 件): " + "、".join(
                f"{c['code'] or ''} {c['title']}" for c in detail.children.iter_rows(named=True))))

    left, right = st.columns([3, 2])
    with left:
        st.markdown("**年度ごとの評価**")
        scores = yearly_scores(detail.evaluations)
        if scores.is_empty():
            st.caption("評価の記録はありません。")
        else:
            st.dataframe(scores, hide_index=True, width="stretch")
            table_downloads(scores, f"評価_{row['code'] or row['level']}", current_filters(), key="detail_scores")
    with right:
        st.markdown("**財政効果**")
        if detail.fiscal_effects.is_empty():
            st.caption("金額の記載はありません。")
        for e in detail.fiscal_effects.iter_rows(named=True):
            st.markdown(f"- **{e['amount_yen']:,} 円** ({md(fy_label(e['fiscal_year']))}, {md(e['kind'])})  \n"
                        f"  「{md(e['evidence'])}」 — {md(row['document_id'])} {e['line']}行")
        for a in detail.awards.iter_rows(named=True):
            st.markdown("- " + md(f"表彰: {fy_label(a['fiscal_year'])} {a['award']} ({a['program']})"))

    st.markdown("**記述**")
    if detail.narratives.is_empty():
        st.caption("記述はありません。")
    for year, group in detail.narratives.group_by("fiscal_year", maintain_order=True):
        label = fy_label(year[0]) if year[0] is not None else "年度なし・総括"
        with st.expander(f"{label} ({len(group)} 件)", expanded=len(detail.narratives) <= 6):
            for n in group.iter_rows(named=True):
                st.markdown(f"**{md(n['section'])}** ({n['line']}行)")
                st.text(n["text"])

    source = detail.source
    st.caption(md(f"出典: {source['title']} ({source['file']} {row['line']}行、{row['copy'] or ''})"))
    if not detail.quality.is_empty():
        with st.expander(f"この取組のデータ品質の記録 ({len(detail.quality)} 件)"):
            st.dataframe(detail.quality, hide_index=True, width="stretch")
