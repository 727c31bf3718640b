"""比較 (comparison): the same reform category side by side across municipalities.

Every initiative of the filtered slice counts once per category it has (``categories``) and
once per municipality it belongs to (``initiative_municipalities``: 主体 lead and 共同 partner),
so a joint case shows under each partner. Grades are the latest self-evaluated 総合評価 (as in
the explorer); money is the sum of the initiative's ``fiscal_effects`` amounts that are
``counted`` (the ETL's one rule: no plan statements, expenses or repeats), in yen.
"""
from __future__ import annotations

import polars as pl

from warehouse.connection import query
from warehouse.filters import Filters, explorer_url, same_municipality
from warehouse.queries import cached, category_order, initiatives

GRADES = ("A", "B", "C", "D")

_MEMBERS_SCHEMA = {"initiative_id": pl.String, "member": pl.String, "role": pl.String}


@cached
def partners(initiative_id: str) -> pl.DataFrame:
    """The municipalities of one initiative with their role (主体 first)."""
    return query("SELECT municipality, role FROM initiative_municipalities WHERE initiative_id = ? "
                 "ORDER BY role = '共同', municipality", [initiative_id])


@cached
def category_items(filters: Filters) -> pl.DataFrame:
    """One row per (category, municipality, initiative) of the slice: member (the municipality
    it counts for), role, level, code, title, grade, fiscal_effect, url (the explorer's)."""
    rows = initiatives(filters).filter(pl.col("categories").list.len() > 0)
    members = query("SELECT initiative_id, municipality AS member, role, municipality_code AS member_code "
                    "FROM initiative_municipalities")
    if members.is_empty():
        members = pl.DataFrame(schema=_MEMBERS_SCHEMA)
    out = (rows.select("initiative_id", "level", "code", "title", "grade", "fiscal_effect", "categories",
                       "document_id")
           .explode("categories").rename({"categories": "category"})
           .join(members, on="initiative_id", how="inner"))
    if filters.municipality:
        out = out.filter(same_municipality(filters.municipality, "member", "member_code"))
    if filters.category:  # the item's other categories are not what was asked for
        out = out.filter(pl.col("category") == filters.category)
    order = {c: n for n, c in enumerate(category_order())}
    urls = [explorer_url(i, c or m) for i, c, m in zip(out["initiative_id"], out["member_code"], out["member"])]
    return (out.with_columns(pl.Series("url", urls, dtype=pl.String),
                             pl.col("category").replace_strict(order, default=len(order),
                                                               return_dtype=pl.Int32).alias("category_order"))
            .sort("category_order", "member", "document_id", "level", "code", maintain_order=True)
            .drop("category_order"))


@cached
def category_matrix(filters: Filters) -> pl.DataFrame:
    """Per (category, municipality): 取組数, graded count and A–D counts, the money sum."""
    items = category_items(filters)
    return (items.group_by("category", "member", maintain_order=True)
            .agg(pl.len().alias("items"),
                 pl.col("grade").is_not_null().sum().alias("graded"),
                 *[(pl.col("grade") == g).sum().alias(g) for g in GRADES],
                 pl.col("fiscal_effect").sum().alias("fiscal_effect"),
                 pl.col("fiscal_effect").is_not_null().sum().alias("with_money")))


@cached
def category_overview(filters: Filters) -> pl.DataFrame:
    """Per category (taxonomy order): how many initiatives and municipalities the slice has."""
    items = category_items(filters)
    counted = (items.group_by("category", maintain_order=True)
               .agg(pl.col("initiative_id").n_unique().alias("items"),
                    pl.col("member").n_unique().alias("municipalities")))
    every = pl.DataFrame({"category": list(category_order())}, schema={"category": pl.String})
    return (every.join(counted, on="category", how="left")
            .with_columns(pl.col("items").fill_null(0), pl.col("municipalities").fill_null(0)))
