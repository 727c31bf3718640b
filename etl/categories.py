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
from dataclasses import dataclass, field
from pathlib import Path

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


def scores(item: Item, dictionary: Dictionary) -> dict[str, tuple[int, list[str]]]:
    """category -> (score, the keywords found), for the categories with any keyword found."""
    title = match_key(item.title)
    narratives = match_key(" ".join(item.narratives))
    themes = match_key(" ".join(item.themes))
    # Every two-character piece of the text: a keyword whose first two characters are not among
    # them cannot occur, so most of the dictionary is skipped without searching the text.
    whole = "\n".join((title, narratives, themes))
    pieces = {whole[n:n + 2] for n in range(len(whole) - 1)} | set(whole)
    found: dict[str, tuple[int, list[str]]] = {}
    for k in dictionary.keywords:
        if k.text[:2] not in pieces:
            continue
        points = (TITLE_FACTOR * k.weight if k.found_in(title) else k.weight if k.found_in(narratives)
                  else THEME_POINTS if k.found_in(themes) else 0)
        if points:
            score, words = found.get(k.category, (0, []))
            found[k.category] = (score + points, [*words, k.text])
    return found


def assign(item: Item, dictionary: Dictionary) -> list[Assignment]:
    """The item's categories, in order, each with how it was decided."""
    order = {c: n for n, c in enumerate(dictionary.categories)}
    if item.stated:
        chosen = [Assignment(item.initiative_id, c, None, [], BY_WORKBOOK) for c in dict.fromkeys(item.stated)]
    else:
        found = scores(item, dictionary)
        best = max((s for s, _ in found.values()), default=0)
        ranked = sorted((c for c, (s, _) in found.items() if s >= max(THRESHOLD, RELATIVE * best)),
                        key=lambda c: (-found[c][0], order[c]))[:MAX_CATEGORIES]
        chosen = [Assignment(item.initiative_id, c, found[c][0], found[c][1], BY_DICTIONARY) for c in ranked]
    for category, weight in dictionary.overrides.get(item.initiative_id, []):
        chosen = [a for a in chosen if a.category != category]
        if weight > 0:
            chosen.append(Assignment(item.initiative_id, category, None, [], BY_OVERRIDE))
    return chosen
