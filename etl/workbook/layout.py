"""The template's shape: sheets, columns, closed vocabularies.

One ``SheetSpec`` per kind of record. The reader, the writer and the 説明 (explanation)
sheet all work from these specs, so a column is described in exactly one place.

Column ``required`` means the header must be present (the template's own columns);
``needed`` means every data row must fill the cell. Optional columns (``required=False``)
sit to the right of the required ones and exist for the round trip of the built-in
documents (e.g. 取組ID, 追加情報); a hand-filled workbook may leave them out entirely.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etl.money import BASES, KINDS, MIXED, RECURRENCES
from etl.normalize import match_key
from vocab import ALL_CRITERIA as CRITERIA
from vocab import GRADE_CRITERION, GRADES, INDICATOR_LABELS, LEVELS

# Closed vocabularies (docs/warehouse.md "語彙"), as the workbook spells them; the shared ones
# (LEVELS, CRITERIA, GRADES) come from vocab.
EVALUATORS = {"自己評価": "self", "委員評価": "committee"}
INDICATOR_KINDS = {label: kind for kind, label in INDICATOR_LABELS.items()}
# fiscal_effects.source: what the office states itself is the plan's own figure ("summary");
# "sheet" marks amounts picked out of progress-sheet prose, as the text parsers do.
FISCAL_SOURCES = {"計画記載": "summary", "進捗シート": "sheet"}
DEFAULT_FISCAL_SOURCE = "summary"
# 財政効果 columns use the vocabularies of etl.money (one for documents and workbooks).
# 区分「合計」 of older workbooks still reads: a stated total (複数区分, 根拠 計画記載).
FISCAL_KINDS = KINDS
LEGACY_FISCAL_KINDS = {"合計": MIXED, "使用料等": "使用料・手数料"}
FISCAL_BASES = BASES
DEFAULT_FISCAL_BASIS = "実績"
FISCAL_RECURRENCES = RECURRENCES
FISCAL_BOUNDS = {"記載どおり": "exact", "約": "約", "以上": "以上", "以下": "以下"}
# In a 自治体 column: blank = the plan's municipality; this word = not stated (NULL).
UNKNOWN_MUNICIPALITY = "不明"
LIST_SEPARATOR = "、"  # multi-valued cells: 「、」 or one value per line


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str  # text | code | year | score | number | count | yen | list | json | choice
    required: bool = True  # the header must be present
    needed: bool = False  # the cell must be filled in every data row
    width: float = 12
    choices: tuple[str, ...] = ()  # offered as a drop-down list
    strict: bool = True  # False: the list only suggests, other values are accepted
    meaning: str = ""
    example: Any = None

    @property
    def optional(self) -> bool:
        return not self.required


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: bool  # the sheet must exist
    meaning: str
    columns: tuple[Column, ...]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    def by_header(self) -> dict[str, Column]:
        """Header lookup that forgives width and spacing (「金額（円）」 = 「金額(円)」)."""
        return {match_key(c.header): c for c in self.columns}


def _number(meaning: str) -> Column:
    """番号 (number) as other sheets use it: names an initiative by its printed number."""
    return Column("番号", "number", "code", width=8, meaning=meaning, example="1")


# Names an initiative by its 取組ID when numbers repeat (e.g. one list per year).
_INITIATIVE_ID = Column("取組ID", "initiative_id", "code", required=False, width=18,
                        meaning="取組シートの取組ID。番号が重複するときに取組を特定します（空欄なら番号で探します）",
                        example="")


PLAN = SheetSpec("計画", True, "計画 (plan) の基本情報。データ行はちょうど1行です。", (
    Column("自治体", "municipality", "text", needed=True, width=14,
           meaning="計画を持つ自治体", example="架空市"),
    Column("都道府県", "prefecture", "text", width=12, meaning="自治体の都道府県", example="東京都"),
    Column("計画名", "title", "text", needed=True, width=40,
           meaning="計画・報告書の名称（倉庫の文書名になります）", example="架空市行財政改革プラン"),
    Column("開始年度", "start_fy", "year", width=10,
           meaning="計画期間の最初の年度。空欄なら年度の範囲を確認しません", example="R3"),
    Column("終了年度", "end_fy", "year", width=10,
           meaning="計画期間の最後の年度", example="令和7年度"),
    Column("文書ID", "document_id", "code", required=False, width=22,
           meaning="倉庫での文書の識別子（空白と「/」を含まない100文字以内）。空欄ならファイル名から「xlsx-ファイル名」",
           example="kakuu-plan-r3"),
    Column("人口", "population", "count", required=False, width=12,
           meaning="自治体の人口（人、正の整数。住民基本台帳人口など計画の時点の値）。"
                   "比較の画面で1人あたりの財政効果額に使います。空欄なら1人あたりを示しません",
           example=85000),
))

INITIATIVES = SheetSpec("取組", True, "取組 (initiatives)：施策・取組項目などの一覧。親番号で階層をつなぎます。", (
    Column("階層", "level", "choice", needed=True, width=10, choices=LEVELS,
           meaning="取組の階層", example="取組項目"),
    Column("番号", "code", "code", width=8,
           meaning="文書に印刷された番号（例: 17, N23, 05）。取組ID がない行では必須・重複不可",
           example="1"),
    Column("親番号", "parent_code", "code", width=8,
           meaning="親の取組の番号（最上位は空欄）", example=""),
    Column("取組名", "title", "text", width=40, meaning="取組の名称", example="窓口業務の委託"),
    Column("担当部署", "departments", "list", width=20,
           meaning="担当する課・室。複数なら「、」または改行で区切る", example="市民課、情報政策課"),
    Column("テーマ", "themes", "list", width=18,
           meaning="テーマ・分類。複数なら「、」または改行で区切る", example="行政サービス"),
    Column("開始年度", "start_fy", "year", width=10, meaning="取組の開始年度", example="令和3年度"),
    Column("終了年度", "end_fy", "year", width=10, meaning="取組を終えた年度（取組終了）", example=""),
    Column("年度", "fiscal_year", "year", required=False, width=8,
           meaning="年度ごとの一覧に属する取組の年度（例: 改善取組）", example=""),
    Column("取組ID", "key", "code", required=False, width=18,
           meaning="取組の識別子（文書内で一意）。空欄なら番号を使います。倉庫の initiative_id は「文書ID/取組ID」",
           example=""),
    Column("親取組ID", "parent_key", "code", required=False, width=18,
           meaning="親の取組の取組ID（親番号が重複するときに使います）", example=""),
    Column("自治体", "municipality", "text", required=False, width=12,
           meaning=f"取組の自治体。空欄なら計画の自治体、「{UNKNOWN_MUNICIPALITY}」なら特定しない",
           example=""),
    Column("追加情報(JSON)", "extra", "json", required=False, width=24,
           meaning='その他の項目を JSON オブジェクトで（例: {"共同実施者数": 3}）', example=""),
    Column("カテゴリ", "categories", "list", required=False, width=22,
           meaning="行革の共通分類（比較の画面で自治体を横に並べる分類）。空欄ならキーワード辞書が取組名・テーマ・記述から決めます。"
                   "複数なら「、」または改行で区切る", example="RPA・AI"),
))

EVALUATIONS = SheetSpec("評価", False, "評価 (evaluations)：年度ごとの自己評価・委員評価。", (
    _number("評価する取組の番号（取組ID で指定するときは空欄可）"),
    Column("年度", "fiscal_year", "year", width=10,
           meaning="評価の年度。空欄は計画期間の総括（最終の委員評価など）", example="2021"),
    Column("評価者", "evaluator", "choice", needed=True, width=10, choices=tuple(EVALUATORS),
           meaning="自己評価（担当部署）または委員評価（委員会）", example="自己評価"),
    Column("評価項目", "criterion", "choice", needed=True, width=10, choices=CRITERIA,
           meaning="進捗度・連携度・効率性・創造性は 0–3 点、合計は 0–12 点、委員評価は 1–5 点、"
                   "総合評価は点数でなく評価 (A–D)", example="進捗度"),
    Column("点数", "score", "score", width=8, meaning="点数（総合評価以外）", example=3),
    Column("評価", "grade", "choice", width=8, choices=GRADES,
           meaning="A–D（総合評価のみ）", example=""),
    _INITIATIVE_ID,
))

INDICATORS = SheetSpec("指標", False, "指標 (KPI)：基準値・実績値・目標値。", (
    Column("指標番号", "indicator_no", "code", needed=True, width=10, meaning="指標の番号", example="1"),
    Column("指標名", "name", "text", needed=True, width=30, meaning="指標の名称",
           example="電子申請の利用率"),
    Column("単位", "unit", "text", width=8, meaning="値の単位", example="%"),
    Column("年度", "fiscal_year", "year", width=10,
           meaning="値の年度。基準値は計画期間より前の年度でもかまいません", example="R2"),
    Column("区分", "kind", "choice", needed=True, width=10, choices=tuple(INDICATOR_KINDS),
           meaning="基準値・実績値・目標値", example="基準値"),
    Column("値", "value", "number", width=10, meaning="数値（空欄は値なし）", example=12.5),
    Column("備考", "note", "text", width=30, meaning="注記", example=""),
))

FISCAL_EFFECTS = SheetSpec("財政効果", False, "財政効果 (fiscal effects)：金額は円単位の整数。", (
    _number("取組の番号。空欄は計画全体の財政効果（総額）"),
    Column("年度", "fiscal_year", "year", width=10, meaning="効果のあった年度", example="令和4年度"),
    Column("金額(円)", "amount_yen", "yen", needed=True, width=16,
           meaning="円単位の整数（千円単位なら 1,000 倍して入力）", example=1200000),
    Column("区分", "kind", "choice", needed=True, width=14, choices=FISCAL_KINDS,
           meaning="効果の種類（一覧から選択。複数区分 = 種類をまたぐ合計。費用は支出で集計しません）",
           example="経費削減"),
    Column("根拠", "evidence", "text", width=40, meaning="金額の根拠となる文",
           example="委託により人件費を年間120万円削減"),
    Column("出典", "source", "choice", required=False, width=12, choices=tuple(FISCAL_SOURCES),
           meaning="計画記載（既定）または進捗シート（進捗状況シートの文から拾った金額）", example=""),
    Column("自治体", "municipality", "text", required=False, width=12,
           meaning=f"空欄なら計画の自治体、「{UNKNOWN_MUNICIPALITY}」なら特定しない", example=""),
    _INITIATIVE_ID,
    Column("実績・見込", "basis", "choice", required=False, width=11, choices=FISCAL_BASES,
           meaning="金額の性質: 実績・見込は集計、予算・目標は集計しない、計画記載 = 計画自身が示す合計など"
                   f"（比較用、集計しない）。空欄は{DEFAULT_FISCAL_BASIS}", example="実績"),
    Column("単年度・毎年度", "recurrence", "choice", required=False, width=13, choices=FISCAL_RECURRENCES,
           meaning="単年度 / 毎年度（その年度以降毎年。1年分を集計）/ 累計（複数年度の合計）/ "
                   "月額換算済（月額×月数。根拠に計算を書く）。空欄は単年度", example="単年度"),
    Column("約・以上", "bound", "choice", required=False, width=10, choices=tuple(FISCAL_BOUNDS),
           meaning="金額の書き方: 記載どおり（空欄と同じ）/ 約 / 以上 / 以下", example="約"),
    Column("上限額(円)", "amount_max_yen", "yen", required=False, width=14,
           meaning="範囲（500万～1千万円）の上限。金額(円)には下限を入れる", example=""),
))

NARRATIVES = SheetSpec("記述", False, "記述 (narratives)：取組ごと・年度ごとの文章。", (
    _number("記述する取組の番号（取組ID で指定するときは空欄可）"),
    Column("年度", "fiscal_year", "year", width=10, meaning="年度（空欄は年度なし）", example="2021"),
    Column("項目", "section", "text", needed=True, width=18, meaning="見出し（例: 取組内容、効果、意見）",
           example="取組内容"),
    Column("本文", "text", "text", needed=True, width=60,
           meaning="文章（1セル 32,767 文字まで）", example="窓口業務を委託し、待ち時間を短縮した。"),
    _INITIATIVE_ID,
))

AWARDS = SheetSpec("表彰", False, "表彰 (awards)：改善運動などの表彰結果。", (
    Column("表彰名", "program", "text", needed=True, width=24, meaning="表彰制度の名称",
           example="架空市カイゼン大賞"),
    Column("年度", "fiscal_year", "year", width=10, meaning="表彰の年度", example="R3"),
    Column("賞", "award", "text", needed=True, width=10, meaning="賞の名前（最優秀、優秀、奨励 …）",
           example="最優秀"),
    Column("題名", "title", "text", needed=True, width=30, meaning="受賞した取組の題名",
           example="窓口業務の委託"),
    Column("受賞者", "winner", "text", width=18, meaning="受賞した部署・職員", example="市民課職員"),
    _number("受賞した取組の番号（空欄可）"),
    _INITIATIVE_ID,
))

PARTNERS = SheetSpec("関係自治体", False,
                     "関係自治体：共同実施など、取組に関わる計画外の自治体（自治体の一覧に加わります）。", (
    Column("自治体", "municipality", "text", needed=True, width=14, meaning="関係する自治体",
           example="架空町"),
    _number("関係する取組の番号（空欄可）"),
    _INITIATIVE_ID,
))

EXPLANATION_SHEET = "説明"
DATA_SHEETS: tuple[SheetSpec, ...] = (PLAN, INITIATIVES, EVALUATIONS, INDICATORS, FISCAL_EFFECTS,
                                      NARRATIVES, AWARDS, PARTNERS)
