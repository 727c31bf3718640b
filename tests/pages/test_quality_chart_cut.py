"""データ品質's chart at national scale: the 20 documents with the most records, the rest in one
「ほか N 文書」 bar per kind; the card's table keeps every document."""
from __future__ import annotations

import polars as pl

from cards.quality import charted


def _table(documents: int) -> pl.DataFrame:
    rows = []
    for n in range(documents):
        rows.append({"文書": f"doc{n:04d}", "種類": "分類なし", "件数": 1})
        if n < 3:
            rows.append({"文書": f"doc{n:04d}", "種類": "修復", "件数": 10 + n})
    return pl.DataFrame(rows)


def test_few_documents_are_drawn_as_they_are():
    table = _table(20)
    assert charted(table).equals(table)


def test_many_documents_keep_the_top_and_sum_the_rest_per_kind():
    table = _table(1741)
    chart = charted(table, limit=20)
    documents = chart["文書"].unique(maintain_order=True).to_list()
    assert len(documents) == 21 and documents[-1] == "ほか 1,721 文書"
    assert {"doc0000", "doc0001", "doc0002"} <= set(documents)  # the most records
    others = chart.filter(pl.col("文書") == "ほか 1,721 文書")
    assert others.select("種類", "件数").rows() == [("分類なし", 1721)]
    assert chart["件数"].sum() == table["件数"].sum()  # nothing lost
