"""Read side of the データ品質 page: everything the ETL recorded while reading the documents
(訂正 corrections from the corrections file, 修復 repairs, 写しの不一致 disagreements between
copies, 集計の不一致 totals that do not add up, …).
"""
from __future__ import annotations

import re

import polars as pl

from etl.normalize import match_key, match_keys
from rowwise import rowwise
from vocab import QUALITY_LABELS, QualityKind, kind_label, kind_order
from warehouse.connection import query
from warehouse.filters import Filters, explorer_url, same_municipality
from warehouse.queries import QUALITY_ORDER, cached

def kind_labels(column: str = "kind") -> pl.Expr:
    """:func:`kind_label` as a vectorised expression."""
    kind = pl.col(column)
    return (pl.when(kind.is_null()).then(pl.lit("その他"))
            .otherwise(kind.replace_strict(QUALITY_LABELS, default=pl.format("その他 ({})", kind),
                                           return_dtype=pl.String)))


@cached
def quality_rows() -> pl.DataFrame:
    """Every data-quality row with its document and, when set, the affected initiative."""
    return query(
        "SELECT q.document_id, d.title AS document_title, d.municipality AS document_municipality, "
        "d.municipality_code AS document_municipality_code, q.kind, q.location, q.message, q.resolution, q.initiative_id, "
        "i.municipality AS initiative_municipality, i.municipality_code AS initiative_municipality_code, i.level, i.code, i.title AS initiative_title "
        "FROM _data_quality q LEFT JOIN _documents d USING (document_id) "
        "LEFT JOIN initiatives i USING (initiative_id) "
        f"ORDER BY q.document_id NULLS LAST, q.kind, {QUALITY_ORDER}")


def scope_quality(rows: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """Rows under the shared filters that make sense here: municipality (the document's or the
    affected initiative's) and the keyword (message, location, resolution, initiative title)."""
    out = rows
    if filters.municipality:
        value = filters.municipality
        out = out.filter(same_municipality(value, "document_municipality", "document_municipality_code")
                         | same_municipality(value, "initiative_municipality", "initiative_municipality_code"))
    if filters.search and match_key(filters.search):
        key = match_key(filters.search)
        text = pl.concat_str([pl.col(c).fill_null("") for c in
                              ("message", "location", "resolution", "initiative_title", "document_id")])
        out = out.filter(match_keys(text).str.contains(key, literal=True))
    return out


def pick_quality(rows: pl.DataFrame, documents: list[str] | tuple[str, ...] = (),
                 kinds: list[str] | tuple[str, ...] = ()) -> pl.DataFrame:
    """The data-quality screen's own choices (文書, 種類) on top of :func:`scope_quality`; empty = all."""
    if documents:
        rows = rows.filter(pl.col("document_id").is_in(list(documents)))
    if kinds:
        rows = rows.filter(pl.col("kind").is_in(list(kinds)))
    return rows


def quality_documents(rows: pl.DataFrame) -> list[str]:
    """The documents of the rows, in their order (the 文書 choices)."""
    return [d for d in dict.fromkeys(rows["document_id"].to_list()) if d is not None]


def quality_counts(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows per document and kind (Japanese labels), documents in their order, kinds in QUALITY_LABELS order."""
    if rows.is_empty():
        return pl.DataFrame(schema={"文書": pl.String, "種類": pl.String, "件数": pl.Int64})
    counted = rows.group_by("document_id", "kind").len("件数").with_columns(pl.col("件数").cast(pl.Int64))
    order = kind_order(counted["kind"].to_list())
    counted = counted.with_columns(pl.col("kind").replace_strict({k: n for n, k in enumerate(order)},
                                                                 return_dtype=pl.Int64).alias("_o"))
    return counted.sort("document_id", "_o").select(
        pl.col("document_id").fill_null("（文書なし）").alias("文書"),
        kind_labels().alias("種類"), "件数")


def quality_matrix(counts: pl.DataFrame) -> pl.DataFrame:
    """The counts as a document × kind table with a 合計 column."""
    if counts.is_empty():
        return counts
    kinds = list(dict.fromkeys(counts["種類"].to_list()))
    wide = counts.pivot(on="種類", index="文書", values="件数", aggregate_function="sum").fill_null(0)
    ordered = [k for k in [kind_label(k) for k in QUALITY_LABELS] + kinds if k in wide.columns]
    ordered = list(dict.fromkeys(ordered))
    return wide.select("文書", *ordered).with_columns(pl.sum_horizontal(ordered).alias("合計"))


def quality_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The listed rows as users see and export them."""
    return rows.select(
        pl.col("document_id").alias("文書"),
        kind_labels().alias("種類"),
        pl.col("message").alias("内容"),
        pl.col("resolution").alias("対応"),
        pl.when(pl.col("initiative_id").is_not_null())
          .then(pl.concat_str([pl.col("level").fill_null(""), pl.col("code").fill_null(""),
                               pl.col("initiative_title").fill_null("")], separator=" ").str.strip_chars())
          .otherwise(pl.lit("")).alias("取組"),
        rowwise(rows["initiative_id"], explorer_url, name="取組一覧").fill_null(""),
        pl.col("location").alias("場所"),
    )


_CORRECTION = re.compile(r"^「(?P<find>.*)」→「(?P<replace>.*)」: (?P<reason>.*)$", re.S)
_CORRECTION_ROW = re.compile(r"corrections\.csv:(\d+)")


def corrections_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Applied (and unused) corrections split into 訂正前 / 訂正後 / 理由 with the corrections-file row."""
    data = rows.filter(pl.col("kind").is_in([QualityKind.CORRECTION, QualityKind.CORRECTION_UNUSED]))
    out = []
    for r in data.iter_rows(named=True):
        m = _CORRECTION.match(r["message"] or "")
        row = _CORRECTION_ROW.search(f"{r['resolution'] or ''} {r['location'] or ''}")
        out.append({
            "文書": r["document_id"],
            "場所": r["location"],
            "訂正前": m["find"] if m else None,
            "訂正後": m["replace"] if m else None,
            "理由": m["reason"] if m else r["message"],
            "訂正ファイルの行": int(row[1]) if row else None,
            "状態": kind_label(r["kind"]),
        })
    return pl.DataFrame(out, schema={"文書": pl.String, "場所": pl.String, "訂正前": pl.String,
                                     "訂正後": pl.String, "理由": pl.String, "訂正ファイルの行": pl.Int64,
                                     "状態": pl.String})


@cached
def document_quality(document_id: str, kinds: tuple[str, ...]) -> pl.DataFrame:
    """Data-quality rows of one document, restricted to some kinds."""
    return query("SELECT kind, location, message, resolution, initiative_id FROM _data_quality "
                 f"WHERE document_id = ? AND list_contains(?, kind) ORDER BY {QUALITY_ORDER}",
                 [document_id, list(kinds)])
