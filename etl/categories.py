"""One taxonomy: the common reform categories (``initiatives.categories``) for every document.

Each document keeps its own theme words in ``themes``; ``categories`` puts every initiative
into one shared set of 行革 categories so that the same kind of reform can be compared across
municipalities (the 比較 page). The dictionary, the rule and the per-item overrides live in
``data/raw/categories.csv`` (its header comment states the rule); this module only applies it:

- score(category) = Σ over its keywords found: weight ×2 in the title/subtitle, else weight ×1
  in the narratives, else 1 in the themes (a document's theme is a broad heading — Tomakomai's
  「職員の人材育成と「働き方改革」・簡素で効率的な組織づくり」 covers 19 items — a hint, never decisive); a category is given at ``THRESHOLD`` or more and at least half the item's best
  score, at most ``MAX_CATEGORIES``.
- categories stated by a workbook (取組 sheet, カテゴリ column) replace the dictionary;
- ``id:<initiative_id>`` rows add (weight > 0) or remove (weight < 0) a category last.
"""
from __future__ import annotations

import csv
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from etl.errors import ManifestError
from etl.normalize import match_key
from vocab import QualityKind

CATEGORIES = "categories.csv"
COLUMNS = ["category", "keyword", "weight"]
OVERRIDE_PREFIX = "id:"
THRESHOLD = 3
MAX_CATEGORIES = 3
TITLE_FACTOR = 2
THEME_POINTS = 1  # a keyword found only in the document's theme words, whatever its weight
RELATIVE = 0.5  # a category must also reach half the item's best score (drops incidental words)
NO_CATEGORY = QualityKind.UNCATEGORIZED  # an initiative the taxonomy does not cover

# How a category was decided (internal table _initiative_categories.source).
BY_DICTIONARY, BY_WORKBOOK, BY_OVERRIDE = "辞書", "ブック", "指定"


@dataclass(frozen=True)
class Keyword:
    category: str
    text: str  # match form
    weight: int
    pattern: re.Pattern[str]  # the keyword alone; ASCII keywords with their word boundary

    def found_in(self, text: str) -> bool:
        # A plain substring test first (fast); the pattern only adds the ASCII word boundary.
        return self.text in text and (not self.text.isascii() or bool(self.pattern.search(text)))


@dataclass
class Dictionary:
    categories: list[str] = field(default_factory=list)  # in file order
    keywords: list[Keyword] = field(default_factory=list)
    overrides: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # id -> (category, ±1)

    def is_empty(self) -> bool:
        return not self.categories


def _pattern(keyword: str) -> re.Pattern[str]:
    escaped = re.escape(keyword)
    if keyword.isascii():
        return re.compile(rf"(?<![A-Za-z]){escaped}(?![A-Za-z])")
    return re.compile(escaped)


def read_dictionary(raw_dir: Path) -> Dictionary:
    """``data/raw/categories.csv`` (``#`` lines are comments); missing file = no taxonomy."""
    path = raw_dir / CATEGORIES
    dictionary = Dictionary()
    if not path.exists():
        return dictionary
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = [(n, line) for n, line in enumerate(f, start=1) if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(line for _, line in lines))
    if not rows or [c.strip() for c in rows[0]] != COLUMNS:
        raise ManifestError(f"{CATEGORIES}: 見出しは {','.join(COLUMNS)} です。実際: 「{','.join(rows[0]) if rows else ''}」")
    for (number, _), row in zip(lines[1:], rows[1:]):
        if len(row) != 3 or not row[0].strip() or not row[1].strip():
            raise ManifestError(f"{CATEGORIES}:{number}: category, keyword, weight の3列が必要です")
        category, keyword, weight_text = (c.strip() for c in row)
        try:
            weight = int(weight_text)
        except ValueError:
            raise ManifestError(f"{CATEGORIES}:{number}: weight は整数です。実際: 「{weight_text}」") from None
        if keyword.startswith(OVERRIDE_PREFIX):
            if weight == 0:
                raise ManifestError(f"{CATEGORIES}:{number}: 項目の指定の weight は 1（加える）か -1（外す）です")
            dictionary.overrides.setdefault(keyword[len(OVERRIDE_PREFIX):], []).append((category, weight))
            if category not in dictionary.categories:
                raise ManifestError(f"{CATEGORIES}:{number}: カテゴリ「{category}」はキーワード辞書にありません")
            continue
        if weight <= 0:
            raise ManifestError(f"{CATEGORIES}:{number}: キーワードの weight は 1 以上です。実際: {weight}")
        if category not in dictionary.categories:
            dictionary.categories.append(category)
        key = match_key(keyword)
        dictionary.keywords.append(Keyword(category, key, weight, _pattern(key)))
    return dictionary


@dataclass(frozen=True)
class Item:
    initiative_id: str
    title: str  # title and subtitle
    themes: list[str]
    narratives: list[str]
    stated: list[str]  # categories a workbook states (empty: the dictionary decides)


@dataclass(frozen=True)
class Assignment:
    initiative_id: str
    category: str
    score: int | None
    keywords: list[str]
    source: str


def _fields(item: Item) -> tuple[str, str, str]:
    """The three places a keyword is looked for, in the matching form: title (with subtitle),
    narratives, themes. None of them contains a line break (``match_key`` drops whitespace)."""
    return match_key(item.title), match_key(" ".join(item.narratives)), match_key(" ".join(item.themes))


def _pairs(text: str) -> np.ndarray:
    """Each character of ``text`` with the next one as one number (the last with 0)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    return (codes << 21) | np.append(codes[1:], 0)


@lru_cache(maxsize=4)
def _firsts(keywords: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per keyword: its first two characters as one number (-1: empty), and whether it has one."""
    return (np.array([_pairs(t)[0] if t else -1 for t in keywords], dtype=np.int64),
            np.array([len(t) == 1 for t in keywords], dtype=bool))


def _candidates(text: str, dictionary: Dictionary) -> np.ndarray:
    """Indices of the keywords whose first two characters occur together in ``text`` (a keyword
    of one character: that character); the others cannot occur there. Never an empty keyword."""
    firsts, single = _firsts(tuple(k.text for k in dictionary.keywords))
    pairs = _pairs(text)
    present = np.isin(firsts, pairs)
    present |= single & np.isin(firsts >> 21, pairs >> 21)
    return np.flatnonzero(present)


def _found(items: list[Item], dictionary: Dictionary) -> list[dict[str, tuple[int, list[str]]]]:
    """``scores`` of each item, the dictionary searched once per batch: every keyword is looked
    for in one text of all the items' fields (joined by line breaks, which no field or keyword
    contains, so a match never spans two fields), and only where it occurs is it scored."""
    fields = [f for item in items for f in _fields(item)]
    whole = "\n".join(fields)
    starts, at = [], 0
    for f in fields:
        starts.append(at)
        at += len(f) + 1
    starts.append(at)  # the end: one past the last field
    places: list[dict[int, int]] = [{} for _ in items]  # item -> keyword index -> first field found
    for index in _candidates(whole, dictionary):
        k = dictionary.keywords[index]
        if k.text not in whole:  # one scan of the batch's text (C)
            continue
        bounded = k.text.isascii()  # found only with its ASCII word boundary (Keyword.found_in)
        position = whole.find(k.text)
        while position >= 0:
            field = bisect_right(starts, position) - 1
            if bounded and not k.found_in(fields[field]):
                position = whole.find(k.text, starts[field + 1])  # the next field with it
                continue
            item, place = divmod(field, 3)
            places[item][index] = place  # fields are in order, so this is the item's first
            position = whole.find(k.text, starts[3 * item + 3])  # the next item with it
    out = []
    for mine in places:
        found: dict[str, tuple[int, list[str]]] = {}
        for index in sorted(mine):  # dictionary order, as the keywords are listed
            k = dictionary.keywords[index]
            points = (TITLE_FACTOR * k.weight, k.weight, THEME_POINTS)[mine[index]]
            score, words = found.get(k.category, (0, []))
            found[k.category] = (score + points, [*words, k.text])
        out.append(found)
    return out


def scores(item: Item, dictionary: Dictionary) -> dict[str, tuple[int, list[str]]]:
    """category -> (score, the keywords found), for the categories with any keyword found."""
    return _found([item], dictionary)[0]


def assign_all(items: list[Item], dictionary: Dictionary) -> list[list[Assignment]]:
    """``assign`` of each item (the dictionary searched once for all of them: one document's)."""
    order = {c: n for n, c in enumerate(dictionary.categories)}
    scored = _found([i for i in items if not i.stated], dictionary)
    scored.reverse()
    out = []
    for item in items:
        if item.stated:
            chosen = [Assignment(item.initiative_id, c, None, [], BY_WORKBOOK) for c in dict.fromkeys(item.stated)]
        else:
            found = scored.pop()
            best = max((s for s, _ in found.values()), default=0)
            ranked = sorted((c for c, (s, _) in found.items() if s >= max(THRESHOLD, RELATIVE * best)),
                            key=lambda c: (-found[c][0], order[c]))[:MAX_CATEGORIES]
            chosen = [Assignment(item.initiative_id, c, found[c][0], found[c][1], BY_DICTIONARY) for c in ranked]
        for category, weight in dictionary.overrides.get(item.initiative_id, []):
            chosen = [a for a in chosen if a.category != category]
            if weight > 0:
                chosen.append(Assignment(item.initiative_id, category, None, [], BY_OVERRIDE))
        out.append(chosen)
    return out


def assign(item: Item, dictionary: Dictionary) -> list[Assignment]:
    """The item's categories, in order, each with how it was decided."""
    return assign_all([item], dictionary)[0]
