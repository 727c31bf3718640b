"""Generated workbooks (hypothesis). ``check`` either accepts a workbook — and then its records
load into a warehouse that passes every invariant — or lists problems; it never raises.

Three sources: template-like workbooks built from scratch (sheets missing or in any order,
headers shuffled, dropped or unknown, cells of every type — these rarely pass), the valid
golden workbook changed one to three times (cells, rows, columns, sheets, headers — about a
third still pass), and damaged files (bytes overwritten, truncated).
"""
from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load import LoadedDocument, WarehouseContent, write_warehouse
from etl.reconcile import reconcile
from etl.workbook import ERROR, WARNING, check
from etl.workbook.layout import DATA_SHEETS, EXPLANATION_SHEET

VALID = Path(__file__).parent / "workbooks" / "kakuu-city-plan.xlsx"
SETTINGS = dict(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Wild cells: anything a person or a program might leave in any column.
WILD = ["施策", "WG", "委員評価", "総合評価", "実績値", "E", "寄附", "不明", '{"k": 1}', "[1]", "=1+1",
        "#N/A", "  ", "来年度", "R0", "1-1", 10**16, -7, 2.5e9, 0.1, True, dt.datetime(2021, 4, 1),
        "あ市\n課", "1、2", 2030, 1800]
# Plausible cells per column kind: many generated workbooks should get far enough to import.
PLAUSIBLE = {
    "text": ["架空市", "窓口業務の委託", "取組内容", "東京都", "最優秀", "%"],
    "code": ["1", "2", "3", 1, 2],
    "year": [2021, 2022, 2023, "R3", "令和4年度", "令和元年度", "H31", "2022年度"],
    "score": [0, 1, 2, 3, 2.25, 4.2, 8.5, 12, 13],
    "number": [0, 12.5, -3, 100, 0.001],
    "yen": [0, 1200000, -50000, 3760000000],
    "list": ["市民課", "市民課、財政課", "施設課\n財政課"],
    "json": ['{"部": "総務部"}', '{"n": 2, "x": [1, "a"]}'],
}
SPELLINGS = {"A": "ａ", "自己評価": "self", "委員評価": "committee", "実績値": "actual"}


def _cell(rnd: random.Random, column, row: int):
    if rnd.random() < 0.03:
        return rnd.choice(WILD)
    if rnd.random() < (0.05 if column.needed else 0.8 if column.optional else 0.35):
        return None
    if column.field == "code" and rnd.random() < 0.9:
        return str(row)  # initiatives mostly numbered 1, 2, 3 … so references can resolve
    if column.choices:
        value = rnd.choice(column.choices)
        return SPELLINGS.get(value, value) if rnd.random() < 0.1 else value
    return rnd.choice(PLAUSIBLE.get(column.kind, PLAUSIBLE["text"]))


@st.composite
def workbooks(draw) -> bytes:
    """Template-like workbooks: sheets in any order or missing, headers shuffled, sometimes
    dropped or unknown, cells mostly plausible for their column and sometimes anything.
    Probabilities come from one seeded Random (hypothesis favours boundary values, which
    would make every rare change happen every time)."""
    rnd = draw(st.randoms(use_true_random=True))
    book = openpyxl.Workbook()
    book.remove(book.active)
    specs = [s for s in DATA_SHEETS if rnd.random() < (0.95 if s.required else 0.6)]
    if rnd.random() < 0.5:
        book.create_sheet(EXPLANATION_SHEET)
    rnd.shuffle(specs)
    for spec in specs:
        sheet = book.create_sheet(spec.name)
        columns = [c for c in spec.columns if (c.required or rnd.random() < 0.5) and rnd.random() > 0.02]
        rnd.shuffle(columns)
        headers = [c.header for c in columns]
        if rnd.random() < 0.05:
            headers.insert(rnd.randint(0, len(headers)), rnd.choice(["備考欄", "番号", None]))
            columns.insert(headers.index(headers[-1]), spec.columns[0])
        sheet.append(headers or [None])
        rows = 1 if spec.name == "計画" and rnd.random() < 0.9 else rnd.randint(0, 5)
        for row in range(1, rows + 1):
            sheet.append([_cell(rnd, c, row) for c in columns])
    if not book.worksheets:
        book.create_sheet("Sheet1")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _assert_loads(result, tmp_path: Path) -> None:
    extract = reconcile(result.extract)
    plan = result.plan
    content = WarehouseContent([LoadedDocument(plan.document_id, result.file_name, plan.municipality,
                                               plan.prefecture, plan.title, "0" * 64, "workbook", "",
                                               result.file_name, 1, extract)])
    target = tmp_path / f"w{random.getrandbits(32)}.duckdb"
    write_warehouse(content, target)  # raises ValidationError if an invariant is broken
    target.unlink()


@settings(**SETTINGS)
@given(data=workbooks())
def test_generated_workbooks_import_or_list_problems(data, tmp_path):
    result = check(data, "generated.xlsx")
    assert all(p.severity in (ERROR, WARNING) and p.message_ja for p in result.problems)
    assert result.ok == (result.extract is not None)
    if result.ok:
        assert result.plan.municipality and result.plan.title
        keys = [i.key for i in result.extract.initiatives]
        assert len(keys) == len(set(keys))
        _assert_loads(result, tmp_path)
    else:
        assert result.errors


def _mutate(book: openpyxl.Workbook, rnd: random.Random) -> str:
    """One change a person might make to a filled workbook; returns its name for the record."""
    sheet = rnd.choice([ws for ws in book.worksheets if ws.title != EXPLANATION_SHEET] or book.worksheets)
    spec = next((s for s in DATA_SHEETS if s.name == sheet.title), DATA_SHEETS[0])
    row, column = rnd.randint(1, max(sheet.max_row, 2)), rnd.randint(1, max(sheet.max_column, 1))
    kind = rnd.choice(["cell", "cell", "cell", "clear", "delete_row", "duplicate_row", "swap_columns",
                       "drop_column", "drop_sheet", "rename_header"])
    if kind == "cell" and row > 1:
        source = spec.columns[min(column, len(spec.columns)) - 1]
        pool = PLAUSIBLE.get(source.kind, PLAUSIBLE["text"]) + list(source.choices)
        sheet.cell(row=row, column=column).value = rnd.choice(WILD if rnd.random() < 0.2 else pool)
    elif kind == "clear":
        sheet.cell(row=row, column=column).value = None
    elif kind == "delete_row":
        sheet.delete_rows(row)
    elif kind == "duplicate_row":
        sheet.append([c.value for c in sheet[row]])
    elif kind == "swap_columns":
        other = rnd.randint(1, sheet.max_column)
        for r in range(1, sheet.max_row + 1):
            a, b = sheet.cell(row=r, column=column), sheet.cell(row=r, column=other)
            a.value, b.value = b.value, a.value
    elif kind == "drop_column":
        sheet.delete_cols(column)
    elif kind == "drop_sheet" and len(book.worksheets) > 1:
        book.remove(sheet)
    elif kind == "rename_header":
        sheet.cell(row=1, column=column).value = rnd.choice(["備考欄", "番号", "年度", None])
    return kind


@settings(**{**SETTINGS, "max_examples": 40})
@given(rnd=st.randoms(use_true_random=True), changes=st.integers(0, 3))
def test_changed_valid_workbooks_import_or_list_problems(rnd, changes, tmp_path):
    book = openpyxl.load_workbook(VALID)
    for _ in range(changes):
        _mutate(book, rnd)
    buffer = io.BytesIO()
    book.save(buffer)
    result = check(buffer.getvalue(), "changed.xlsx")
    assert result.ok == (result.extract is not None)
    assert all(p.severity in (ERROR, WARNING) and p.message_ja for p in result.problems)
    if result.ok:
        _assert_loads(result, tmp_path)
    else:
        assert result.errors


@settings(**{**SETTINGS, "max_examples": 30})
@given(positions=st.lists(st.integers(0, VALID.stat().st_size - 1), min_size=1, max_size=8),
       garbage=st.binary(min_size=1, max_size=8), truncate=st.booleans())
def test_damaged_files_are_problems_not_crashes(positions, garbage, truncate):
    data = bytearray(VALID.read_bytes())
    for position in positions:
        data[position:position + len(garbage)] = garbage
    if truncate:
        data = data[: positions[0]]
    result = check(bytes(data), "damaged.xlsx")
    assert result.ok == (result.extract is not None)
    assert result.ok or result.errors
