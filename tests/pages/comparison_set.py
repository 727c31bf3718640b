"""A small generated warehouse for the 比較 panel: four bench.national plans, three in 北海道
(函館市 and 小樽市 with 人口, 旭川市 without) and one in 青森県 (青森市, with 人口), nothing else.

``build`` returns the warehouse path and, per municipality, the rows its workbook was written
from, so a test can compute the expected figures from the rows themselves.
"""
from __future__ import annotations

import dataclasses
import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import RAW_DIR

# (name, prefecture, 人口 or None); the seed of each workbook is its position
TOWNS = (("函館市", "北海道", 245_000), ("小樽市", "北海道", 108_000), ("旭川市", "北海道", None),
         ("青森市", "青森県", 270_000))
SUPPORT = ("corrections.csv", "municipality_codes.csv", "municipality_aliases.csv", "categories.csv")


def _town(name: str, prefecture: str):
    from bench.national import towns

    # replace(), not Town(...): bench.national's Town may gain fields. No code stated: the plan
    # names its 都道府県 + 名称, which the ETL resolves to the code.
    return dataclasses.replace(towns(1)[0], name=name, prefecture=prefecture, code="", stated_code=False)


def build(folder: Path) -> tuple[Path, dict[str, dict[str, list[dict]]]]:
    from bench.national import _rows
    from etl.pipeline import build as build_warehouse

    raw = folder / "raw"
    raw.mkdir(parents=True)
    for name in SUPPORT:
        shutil.copy(RAW_DIR / name, raw / name)
    header = (RAW_DIR / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (raw / "manifest.csv").write_text(header + "\n", encoding="utf-8")
    rows = {}
    for seed, (name, prefecture, population) in enumerate(TOWNS):
        town = _town(name, prefecture)
        data = _rows(random.Random(seed), town)
        plan = data["計画"][0]
        if population is None:
            del plan["population"]
        else:
            plan["population"] = population
        rows[name] = data
        (raw / f"{name}.xlsx").write_bytes(_workbook(data))
    target = folder / "warehouse.duckdb"
    build_warehouse(raw, target)
    return target, rows


def _workbook(data: dict[str, list[dict]]) -> bytes:
    from etl.workbook.layout import DATA_SHEETS
    from etl.workbook.writing import workbook_bytes

    return workbook_bytes([(spec, data.get(spec.name, [])) for spec in DATA_SHEETS])


@pytest.fixture(scope="module")
def comparison_set(tmp_path_factory) -> tuple[Path, dict[str, dict[str, list[dict]]]]:
    """The built warehouse and the rows of each municipality's workbook."""
    return build(tmp_path_factory.mktemp("comparison"))
