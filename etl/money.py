"""What an amount of money means, and the one rule that decides whether it enters a total.

Every ``FiscalEffect`` (財政効果, fiscal effect) of every document and workbook is described
with the same closed vocabularies and then passed through :func:`decide`, the only place in
the product that says whether an amount is counted (集計) in 財政効果額. The read side sums
``counted`` rows and never re-decides.

- ``kind`` (区分): the type of effect, never an item title and never 「合計」.
- ``basis`` (根拠): 実績 (achieved), 見込 (expected), 予算 (a budget figure), 目標 (a target),
  計画記載 (a figure the plan itself states: its total and its 主な取組).
- ``recurrence``: 単年度 (one year), 毎年度 (recurs every year from then on; counted as one
  year's amount), 累計 (a sum over several years), 月額換算済 (a monthly amount multiplied out;
  the multiplication is written in the evidence).
- ``bound``: exact, 約 (about), 以上 (at least), 以下 (at most).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from etl.model import FiscalEffect, Narrative, SourceDocument
from etl.normalize import YenAmount, match_key, nfkc, split_sentences, yen_amounts

KINDS = ("売却収入", "貸付収入", "売却・貸付収入", "寄附", "広告料", "使用料・手数料", "補助金・交付金",
         "その他の収入", "経費削減", "人件費削減", "費用", "複数区分", "その他")
BASES = ("実績", "見込", "予算", "目標", "計画記載")
RECURRENCES = ("単年度", "毎年度", "累計", "月額換算済")
BOUNDS = ("exact", "約", "以上", "以下")

COST = "費用"
MIXED = "複数区分"  # a stated total over several kinds (e.g. a plan's 財政効果額)
STATED = "計画記載"

# Why an amount is not counted (excluded_reason). Order = the order of the rule in decide().
REASON_STATED = "計画の記載 (文書自身が示す金額。集計とは別に並べて比較します)"
REASON_COST = "費用 (支出であり財政効果ではない)"
REASON_BUDGET = "予算額 (実績・見込ではない)"
REASON_TARGET = "目標額 (実績・見込ではない)"
REASON_GROSS = "補助金・交付金の受入額・積立額 (取組による増額の記載がない)"
REASON_OVERLAP = "年度別の金額と重複 (その総額・概数・毎年度の言い換え)"
REASON_REPEAT = "同じ金額の再掲"
REASONS = (REASON_STATED, REASON_COST, REASON_BUDGET, REASON_TARGET, REASON_GROSS, REASON_OVERLAP,
           REASON_REPEAT)

# ---------------------------------------------------------------- describing an amount

# Kind rules, first match wins; each is tried on the amount's own clause, then the sentence,
# then the other contexts (the plan cell beside a result, the item title). Specific words are
# tried on every context before the generic ones (収入, 委託), so 「…約29.6億円の収入」 in a
# sentence about 売却及び貸付 is a sale/lease income, not 「その他の収入」.
_SPECIFIC: tuple[tuple[str, re.Pattern[str]], ...] = tuple((k, re.compile(p)) for k, p in (
    ("売却・貸付収入", r"売却.*貸付|貸付.*売却"),
    ("寄附", r"寄附|寄付|ふるさと納税|クラウドファンディング"),
    ("広告料", r"広告|ネーミングライツ"),
    ("売却収入", r"売却|売払"),
    ("貸付収入", r"貸付"),
    ("補助金・交付金", r"交付金|補助金|委託金"),
    ("人件費削減", r"人件費.*(?:削減|縮減)"),
    ("経費削減", r"削減|縮減|圧縮|節減|財政効果|負担軽減"),
    (COST, r"委託料|費用|処理費|補助|助成|月額|利用料|積み?立"),
    ("使用料・手数料", r"使用料|手数料"),
))
_GENERIC: tuple[tuple[str, re.Pattern[str]], ...] = tuple((k, re.compile(p)) for k, p in (
    ("その他の収入", r"収入|歳入"),
    ("経費削減", r"委託"),
))

_BUDGET_BEFORE = re.compile(r"予算額?(?:合計)?(?:は|:|：)?\s*(?:約|およそ)?\s*$")
_TARGET = re.compile(r"目標")
_EXPECTED = re.compile(r"見込|見通し|予定|想定|予測|できる。?$|できる見")
_EVERY_YEAR = re.compile(r"(?:毎年度?|(?<!\d)年間|年額|以降)[^、。]{0,3}$")
_CUMULATIVE_BEFORE = re.compile(r"(?:総額|累計|\d+\s*年間|計画期間)[^、。]{0,4}$")
_CUMULATIVE_UNDATED = re.compile(r"総額|累計|合計|\d+\s*年間|計画期間")
_INCREASE = re.compile(r"増額|増加|獲得|新たに|新規")


@dataclass(frozen=True)
class Meaning:
    kind: str
    basis: str
    recurrence: str
    bound: str


def kind_of(*contexts: str) -> str:
    """The effect type of an amount from its clause, sentence, and further contexts."""
    texts = [nfkc(c) for c in contexts if c]
    for rules in (_SPECIFIC, _GENERIC):
        for text in texts:
            for kind, pattern in rules:
                if pattern.search(text):
                    return kind
    return "その他"


def clause_of(sentence: str, amount: YenAmount, amounts: list[YenAmount]) -> tuple[str, str]:
    """(text before, text after) the amount, bounded by its neighbours in the same sentence."""
    text = nfkc(sentence)
    previous = max((a.end for a in amounts if a.end <= amount.start), default=0)
    following = min((a.start for a in amounts if a.start >= amount.end), default=len(text))
    return text[previous:amount.start], text[amount.end:following]


def describe(sentence: str, amount: YenAmount, amounts: list[YenAmount], *more_contexts: str,
             fiscal_year: int | None = None, basis: str | None = None) -> Meaning:
    """Kind, basis, recurrence and bound of one amount read from the words around it.

    ``basis`` given by the parser wins (計画記載 for a plan's summary, 見込 for a field that
    is the expected effect); otherwise 予算 when the amount is called a budget (予算額…),
    目標 when the sentence sets a target, 見込 when it expects (見込む・予定・できる), else 実績.
    """
    before, after = clause_of(sentence, amount, amounts)
    clause = before + amount.text + after
    text = nfkc(sentence)
    kind = kind_of(clause, text, *more_contexts)
    if basis is None:
        if _BUDGET_BEFORE.search(before):
            basis = "予算"
        elif _TARGET.search(clause):
            basis = "目標"
        elif _EXPECTED.search(text):
            basis = "見込"
        else:
            basis = "実績"
    if amount.months:
        recurrence = "月額換算済"
    elif _CUMULATIVE_BEFORE.search(before):
        recurrence = "累計"
    elif _EVERY_YEAR.search(before):
        recurrence = "毎年度"
    elif fiscal_year is None and _CUMULATIVE_UNDATED.search(text) and not re.search(r"※.*合計", text):
        recurrence = "累計"  # an undated amount in a sentence about a total (当初予算額合計 … に対して …)
    else:
        recurrence = "単年度"
    return Meaning(kind, basis, recurrence, amount.bound)


def evidence_with_working(sentence: str, amount: YenAmount) -> str:
    """The sentence, plus the multiplication when a monthly amount was multiplied out."""
    if amount.months:
        return f"{sentence}［換算: 月額{amount.monthly:,}円×{amount.months}か月 = {amount.yen:,}円］"
    return sentence


# ---------------------------------------------------------------- the counting rule


@dataclass(frozen=True)
class Decision:
    counted: bool
    excluded_reason: str | None


def decide(effects: Iterable[FiscalEffect]) -> list[Decision]:
    """Whether each amount of ONE document enters 財政効果額, and if not, why (in input order).

    Not counted, in this order: figures the plan itself states (計画記載: compared beside the
    total, never added to it); costs (費用); budgets (予算); targets (目標); a grant's received
    or deposited amount where the sentence names no increase won by the reform; an undated
    amount of an initiative that also has dated counted amounts (its total over those years, a
    rounded 「約2億」 or 「毎年2億円程」 restating them); and the same amount of the same kind
    and initiative stated again (再掲). Everything else is counted once, with its basis
    (実績/見込) and recurrence shown beside it.
    """
    effects = list(effects)
    dated_initiatives = {e.initiative_key for e in effects
                         if e.fiscal_year is not None and e.initiative_key is not None
                         and _first_reason(e) is None}
    seen: set[tuple] = set()
    out = []
    for e in effects:
        reason = _first_reason(e)
        if reason is None and e.fiscal_year is None and e.initiative_key in dated_initiatives:
            reason = REASON_OVERLAP
        key = (e.initiative_key, e.fiscal_year, e.kind, e.amount_yen)
        if reason is None and key in seen:
            reason = REASON_REPEAT
        if reason is None:
            seen.add(key)
        out.append(Decision(reason is None, reason))
    return out


def _first_reason(e: FiscalEffect) -> str | None:
    if e.basis == STATED:
        return REASON_STATED
    if e.kind == COST:
        return REASON_COST
    if e.basis == "予算":
        return REASON_BUDGET
    if e.basis == "目標":
        return REASON_TARGET
    if e.kind == "補助金・交付金" and not _INCREASE.search(nfkc(e.evidence or "")):
        return REASON_GROSS
    return None


# ---------------------------------------------------------------- amounts in prose


def narrative_effects(doc: SourceDocument, narratives: list[Narrative],
                      titles: dict[str, str] | None = None) -> list[FiscalEffect]:
    """A FiscalEffect for every yen amount in the given narratives (source="sheet").

    Used by documents whose amounts sit in running text (狛江市's 取組状況, 小金井市's 効果).
    Each amount keeps the sentence it came from and the line of ``doc`` that prints it;
    the narrative's year is the amount's year. ``titles`` (initiative key → title) is the
    last context the kind rule looks at.
    """
    out = []
    for n in narratives:
        for sentence in split_sentences(n.text):
            found = yen_amounts(sentence)
            for amount in found:
                meaning = describe(sentence, amount, found, (titles or {}).get(n.initiative_key, ""),
                                   fiscal_year=n.fiscal_year)
                out.append(FiscalEffect(
                    n.initiative_key, n.fiscal_year, amount.yen, meaning.kind, "sheet",
                    evidence_with_working(sentence.lstrip("-・ "), amount),
                    _line_of(doc, n.line, match_key(amount.text)), amount_max_yen=amount.high,
                    basis=meaning.basis, recurrence=meaning.recurrence, bound=meaning.bound))
    return out


def _line_of(doc: SourceDocument, first: int, key: str) -> int:
    """The first line from ``first`` on that prints the amount (the narrative's line if none)."""
    for number in range(first, min(len(doc.lines), first + 400) + 1):
        if key in match_key(doc.line(number)):
            return number
    return first
