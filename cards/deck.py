"""The deck builder page's deck: chosen cards (refs) in, .pptx bytes out. Pure, no Streamlit.

Slides: a title slide (the editable title, the conditions the items share, the date), one
slide per card (its takeaway, the chart, its own conditions as the footnote), then the
sources and data-quality notes of every card's documents. Cards are built from the current
warehouse, so the same refs next month give the same deck with new data.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from cards import build, describe_text
from cards.model import CardRef, CardSpec
from exports.slide_content import Deck, chart_slide
from vocab import fy_label_long, kind_label
from warehouse import Filters, queries
from warehouse.filters import municipality_label, same_municipality

DEFAULT_TITLE = "庁議資料"
MIXED = "項目ごとに異なる (各スライドの注記)"


def source_documents(filters: Filters, document_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """The documents a card draws on: its own list, else those of the filtered municipality (or all)."""
    docs = queries.documents()
    if document_ids is not None:
        return docs.filter(pl.col("document_id").is_in(list(document_ids)))
    if filters.municipality:
        return docs.filter(same_municipality(filters.municipality))
    return docs


def quality_notes(document_ids: Sequence[str]) -> list[str]:
    """Data-quality counts per kind for the documents: 「訂正: 79 件 (データ品質の画面に一覧)」."""
    rows = queries.data_quality().filter(pl.col("document_id").is_in(list(document_ids)))
    counts = rows.group_by("kind").len("count").sort(["count", "kind"], descending=[True, False])
    return [f"{kind_label(k)}: {n:,} 件 (データ品質の画面に一覧)" for k, n in counts.iter_rows()]


def _common(values: list, shown) -> str:
    distinct = list(dict.fromkeys(values))
    return shown(distinct[0]) if len(distinct) == 1 else MIXED


def _towns(towns: list[str | None]) -> str:
    """「苫小牧市」, or several: 「苫小牧市・全自治体」 (at most three named)."""
    distinct = list(dict.fromkeys(t or "全自治体" for t in towns))
    return "・".join(distinct[:3]) + (" ほか" if len(distinct) > 3 else "")


def title_rows(items: Sequence[tuple[CardRef, CardSpec]], skipped: Sequence[CardRef]) -> list[tuple[str, str]]:
    """The title slide's condition rows: the charts in order, then the conditions the items share."""
    filters = [ref.filters for ref, _ in items]
    rows = [(f"グラフ{n}", spec.title) for n, (_, spec) in enumerate(items, start=1)]
    for label, name in (("テーマ", "theme"), ("担当部署", "department"), ("評価", "grade"), ("キーワード", "search")):
        values = [getattr(f, name) for f in filters]
        if any(values):
            rows.append((label, _common(values, lambda v: v or "すべて")))
    if skipped:
        rows.append(("省いたグラフ", f"{len(skipped)} 件 (いまのデータでは条件に合うものがありません)"))
    return rows


def deck_bytes(refs: Sequence[CardRef], *, title: str = DEFAULT_TITLE, created: dt.datetime) -> bytes:
    """The deck of ``refs`` in their order; cards with nothing to show are left out (and counted
    on the title slide)."""
    built = [(ref, build(ref)) for ref in refs]
    items = [(spec.ref or ref, spec) for ref, spec in built if spec is not None]  # resolved: what the card uses
    skipped = [ref for ref, spec in built if spec is None]
    docs = pl.concat([source_documents(ref.filters, spec.document_ids) for ref, spec in items]) \
        if items else queries.documents().clear()
    docs = docs.unique("document_id", maintain_order=True)
    towns = [municipality_label(ref.filters.municipality) for ref, _ in items]  # 「府中市（東京都）」, not the code
    years = [ref.filters.fiscal_year for ref, _ in items]
    titles = docs["title"].to_list()
    deck = Deck(
        title=title.strip() or DEFAULT_TITLE,
        municipality=_towns(towns),
        plan="、".join(titles[:2]) + (" ほか" if len(titles) > 2 else ""),
        fiscal_years=_common(years, lambda v: fy_label_long(v) if v else "全年度") if items else "",
        conditions=title_rows(items, skipped),
        created=created,
        charts=[chart_slide(spec.title, spec.headline(), spec.chart, note="条件: " + describe_text(ref))
                for ref, spec in items],
        sources=[f"{t} ({f})" for t, f in zip(docs["title"], docs["file"])],
        quality_notes=quality_notes(docs["document_id"].to_list()),
    )
    from exports.slides import build_deck  # python-pptx: loaded when the file is asked for

    return build_deck(deck)
