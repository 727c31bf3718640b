"""Bring your own data: an Excel template any municipality can fill, and its validated import.

Public API
----------
``template_bytes() -> bytes``
    The blank template (.xlsx): a 説明 (explanation) sheet, then one sheet per kind of record —
    計画 (plan), 取組 (initiatives), 評価 (evaluations), 指標 (indicators, KPI),
    財政効果 (fiscal effects) and the optional 記述 (narratives), 表彰 (awards),
    関係自治体 (partner municipalities).

``check(data: bytes, file_name: str, document_id: str | None = None) -> WorkbookCheck``
    Validates a workbook completely, without writing anything and without raising on bad input.
    ``WorkbookCheck`` has ``.ok`` (no errors), ``.problems`` (every ``Problem``, in sheet order),
    ``.errors`` / ``.warnings``, ``.plan`` (``PlanSummary``: document_id, municipality,
    prefecture, title, start_fy, end_fy), ``.counts`` (sheet -> data rows) and ``.extract``
    (the ``etl.model.Extract``, only when ok; warnings are in ``extract.issues``).
    ``Problem`` has ``severity`` ("error" | "warning"), ``sheet``, ``row`` (Excel row, header = 1),
    ``column`` (Japanese header) and ``message_ja``; any of the first three may be None when
    the problem concerns the whole file, sheet or row. ``problem.line(file_name)`` formats it as
    ``file:sheet!row 列「…」: message``; ``WorkbookCheck.report()`` lists them all.

``export_workbook(warehouse, municipality, document_id=None) -> bytes``
    A warehouse document in template form (the round trip): importing the file again gives
    the same rows in the public views. ``warehouse`` is a path or a DuckDB connection.

``WORKBOOK_FORMAT``, ``discover_workbooks``, ``load_workbooks``
    The pipeline's side: every ``*.xlsx`` in data/raw (not ``~$…`` lock files or hidden files)
    is imported; a manifest row with format ``workbook`` may name one too.

Limits (``etl.workbook.limits``): ``MAX_FILE_BYTES`` (10 MB), ``MAX_UNCOMPRESSED_BYTES``
(100 MB unzipped), ``MAX_ZIP_MEMBERS``, ``MAX_DATA_ROWS`` (20,000 per sheet), ``MAX_CELL_CHARS``
and ``MAX_TEXT_CHARS`` (per cell and per workbook, measured on read by streaming the XML),
``MAX_SHEETS``. Macro-enabled files, parts with a DTD and damaged parts are refused. Formulas are never evaluated: a cached result is used (warning),
a formula without one is an error.

Decisions
---------
- document_id: the manifest row's, else the 計画 sheet's 文書ID (任意), else ``xlsx-<file stem>``.
- Initiative keys: 取組ID (任意) if given, else 番号 (then unique); initiative_id is
  ``<document_id>/<key>``. Other sheets name an initiative by 取組ID, or by a 番号 only one has.
- fiscal_effects.source defaults to ``summary`` (amounts the office states as the plan's fiscal
  effect); 出典 (任意) 「進捗シート」 gives ``sheet``. 番号 blank = the plan's total.
  区分 takes ``etl.money.KINDS``; 実績・見込 / 単年度・毎年度 / 約・以上 / 上限額(円) (任意) fill basis
  (default 実績), recurrence (default 単年度), bound and amount_max_yen. An older workbook's
  区分「合計」 reads as 複数区分 with basis 計画記載. Whether a row is counted is decided by
  ``etl.money.decide`` at load, as for every document.
- Years must lie in the plan period (開始年度..終了年度); a 基準値 (baseline) indicator may be
  earlier. A blank plan year leaves that side open (reported as a warning).
- Evaluations: 年度 blank = plan-period summary (fiscal_year NULL). 総合評価 takes a grade A–D,
  every other criterion a score (進捗度/連携度/効率性/創造性 0–3, 合計 0–12, 委員評価 1–5).
"""
from etl.workbook.check import check
from etl.workbook.export import export_workbook
from etl.workbook.limits import (MAX_CELL_CHARS, MAX_DATA_ROWS, MAX_FILE_BYTES, MAX_SHEETS,
                                 MAX_TEXT_CHARS, MAX_UNCOMPRESSED_BYTES, MAX_ZIP_MEMBERS)
from etl.workbook.problems import ERROR, WARNING, PlanSummary, Problem, WorkbookCheck
from etl.workbook.source import WORKBOOK_FORMAT, discover_workbooks, load_workbooks
from etl.workbook.template import template_bytes

__all__ = ["template_bytes", "check", "export_workbook", "WorkbookCheck", "Problem", "PlanSummary",
           "ERROR", "WARNING", "MAX_FILE_BYTES", "MAX_UNCOMPRESSED_BYTES", "MAX_ZIP_MEMBERS",
           "MAX_DATA_ROWS", "MAX_CELL_CHARS", "MAX_TEXT_CHARS", "MAX_SHEETS", "WORKBOOK_FORMAT",
           "discover_workbooks", "load_workbooks"]
