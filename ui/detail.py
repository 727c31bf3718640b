"""The detail panel of one initiative: hierarchy, yearly scores, narratives, money, source."""
from __future__ import annotations

import polars as pl
import streamlit as st

from ui.downloads import table_downloads
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.tables import data_table
from vocab import ALL_CRITERIA, fy_label, fy_labels
from warehouse import compare, queries, similar

EVALUATOR_LABELS = {"self": "自己評価", "committee": "委員評価"}


def yearly_scores(evaluations: pl.DataFrame) -> pl.DataFrame:
    """Year-by-year table: one row per (年度, 評価者), criteria as columns, grade last."""
    if evaluations.is_empty():
        return evaluations
    scored = evaluations.with_columns(
        fy_labels().alias("年度"),
        pl.col("evaluator").replace_strict(EVALUATOR_LABELS, default=pl.col("evaluator")).alias("評価者"),
        pl.when(pl.col("grade").is_not_null()).then(pl.col("grade"))
          .otherwise(pl.col("score").round(1).cast(pl.String)).alias("値"),
    )
    order = {c: i for i, c in enumerate(ALL_CRITERIA)}
    wide = scored.pivot(on="criterion", index=["年度", "評価者"], values="値", aggregate_function="first")
    columns = sorted((c for c in wide.columns if c not in ("年度", "評価者")), key=lambda c: order.get(c, 99))
    return wide.select("年度", "評価者", *columns)


def similar_panel(initiative_id: str, key: str = "detail_similar") -> None:
    """「類似の取組」: who else did something like this (other municipalities first)."""
    st.markdown("**類似の取組**")
    table = similar.similar_to(initiative_id)
    if table.is_empty():
        st.caption("似ている取組は見つかりませんでした。")
        return
    st.caption("取組名と記述の文字の並び (2〜3 文字) が似ている取組です。他の自治体の取組を先に、似ている順に示します。")
    data_table(table, key=key, column_config={
        "取組名": st.column_config.TextColumn(width="large"),
        "類似度": st.column_config.ProgressColumn(min_value=0, max_value=1, format="%.2f", width="small",
                                               help="0–1。1 は同じ文章"),
        "取組一覧": st.column_config.LinkColumn(display_text="開く", width="small"),
    })


def render_detail(initiative_id: str) -> None:
    detail = queries.initiative_detail(initiative_id)
    if detail is None:
        st.warning("この取組は現在のデータにありません (倉庫が作り直された可能性があります)。")
        return
    row = detail.row
    code = f"{row['code']} " if row["code"] else ""
    st.subheader(md(f"{row['level']} {code}{row['title']}"))
    facts = [row["municipality"] or "自治体の記載なし"]
    partners = compare.partners(initiative_id).filter(pl.col("role") == "共同")["municipality"].to_list()
    if partners:
        facts.append("共同: " + "、".join(partners))
    if row.get("categories"):
        facts.append("カテゴリ: " + "、".join(row["categories"]))
    if row["departments"]:
        facts.append("担当: " + "、".join(row["departments"]))
    if row["themes"]:
        facts.append("テーマ: " + "、".join(row["themes"]))
    if row["end_fy"]:
        facts.append(f"取組終了: {fy_label(row['end_fy'])}")
    st.caption(md(" ／ ".join(facts)))
    basis = row["extra"].get("自治体の判定")
    if basis and basis != "括弧":
        reason = row["extra"].get("自治体の判定理由")
        st.caption(md(f"自治体の判定: {basis}（{row['extra'].get('自治体の根拠行')}行「{row['extra'].get('自治体の根拠')}」）"
                      + (f" — {reason}" if reason else "")))

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
            data_table(scores)
            table_downloads(scores, f"評価_{row['code'] or row['level']}", current_filters(), key="detail_scores")
    with right:
        st.markdown("**財政効果**")
        if detail.fiscal_effects.is_empty():
            st.caption("金額の記載はありません。")
        for e in detail.fiscal_effects.iter_rows(named=True):
            counted = "集計" if e["counted"] else f"集計しない: {e['excluded_reason']}"
            st.markdown(f"- **{e['amount_yen']:,} 円** ({md(fy_label(e['fiscal_year']), inline=True)}, "
                        f"{md(e['kind'], inline=True)}, {md(e['basis'], inline=True)}"
                        f"{'' if e['recurrence'] == '単年度' else '・' + md(e['recurrence'], inline=True)})"
                        f" — {md(counted, inline=True)}  \n"
                        f"  「{md(e['evidence'], inline=True)}」 — {md(e['location'], inline=True)}")
        for a in detail.awards.iter_rows(named=True):
            st.markdown("- " + md(f"表彰: {fy_label(a['fiscal_year'])} {a['award']} ({a['program']})", inline=True))

    st.markdown("**記述**")
    if detail.narratives.is_empty():
        st.caption("記述はありません。")
    for year, group in detail.narratives.group_by("fiscal_year", maintain_order=True):
        label = fy_label(year[0]) if year[0] is not None else "年度なし・総括"
        with st.expander(f"{label} ({len(group)} 件)", expanded=len(detail.narratives) <= 6):
            for n in group.iter_rows(named=True):
                st.markdown(f"**{md(n['section'], inline=True)}** ({n['line']}行)")
                st.text(n["text"])

    similar_panel(initiative_id)

    source = detail.source
    st.caption(md(f"出典: {source['title']} ({source['file']} {row['line']}行、{row['copy'] or ''})"))
    if not detail.quality.is_empty():
        with st.expander(f"この取組のデータ品質の記録 ({len(detail.quality)} 件)"):
            data_table(detail.quality)
