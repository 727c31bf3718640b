"""Who did it: attribute an initiative that its document leaves without a municipality.

A parser sets ``municipality=None`` when the document does not say whose initiative it is
(the Tokyo DX collection prints no bracket for 25 of its 60 cases). This step reads the
initiative's own text — title, subtitle (``extra["副題"]``) and narratives, sentence by
sentence — against the municipality list (``data/raw/municipality_codes.csv``, prefectures
left out, only the document's own prefecture: ``Lexicon.within``) and the reviewed aliases (``data/raw/municipality_aliases.csv``: romanised or
nicknamed forms a case uses, e.g. 「ItabashiDXCollection」 → 板橋区). The written rule:

- 本文 (in the text): the text names exactly one municipality, at least once outside an
  example sentence (例えば / 例：). Evidence: the first such sentence.
- 推定 (inferred): the text names exactly one municipality, only in example sentences, and
  calls itself 当市/本市 (当区/本区, 当町/本町, 当村/本村) of the same kind. Evidence: the
  example sentence and the self-reference.
- otherwise the municipality stays NULL and a ``data_quality`` row (kind ``unattributed``)
  says why: no name at all, several names, or a name only in an example without a matching
  self-reference. Names of outside bodies (a university, the prefecture 東京都, GovTech東京)
  are never an attribution; the note lists them as hints a reader may follow.

``extra`` keeps ``自治体の判定`` (括弧 / 本文 / 推定), ``自治体の根拠`` (the sentence) and
``自治体の根拠行`` (its line); 推定 adds ``自治体の判定理由``.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import ManifestError
from etl.model import Extract, Issue
from etl.municipality_codes import CodeList
from etl.normalize import match_key
from vocab import QualityKind

ALIASES = "municipality_aliases.csv"
ALIAS_COLUMNS = ["alias", "municipality", "evidence"]
UNATTRIBUTED = QualityKind.UNATTRIBUTED  # a case that stays without a municipality

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")
_EXAMPLE = re.compile(r"例えば|例：|例:|たとえば")
_SELF = {"市": ("当市", "本市"), "区": ("当区", "本区"), "町": ("当町", "本町"), "村": ("当村", "本村")}
# Outside bodies a case may name: hints for the reader, never an attribution.
_OUTSIDE = re.compile(r"[^\s、。「」『』（）()・]{2,20}?大学|東京都(?:国保連合会)?|Gov[Tt]ech東京|国保連合会")
_EVIDENCE_MAX = 120


@dataclass(frozen=True)
class Lexicon:
    """Match form -> municipality, for official names and reviewed aliases."""

    names: dict[str, str]
    aliases: dict[str, str]
    # match form -> the prefectures that have a municipality of that name (etl.municipality_codes)
    prefectures: dict[str, frozenset[str]] = field(default_factory=dict)

    def within(self, prefecture: str | None) -> "Lexicon":
        """The names (and aliases) of one prefecture's municipalities: a document is read
        against its own prefecture's list, since the national one has 1,741 names and short
        ones (森町, 朝日町 …) occur inside ordinary words. No prefecture: the whole list."""
        if not prefecture or not self.prefectures:
            return self
        names = {k: v for k, v in self.names.items() if prefecture in self.prefectures.get(k, ())}
        return Lexicon(names, {k: v for k, v in self.aliases.items() if match_key(v) in names},
                       {k: self.prefectures[k] for k in names})

    def pattern(self) -> re.Pattern[str] | None:
        forms = sorted({*self.names, *self.aliases}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, forms))) if forms else None

    def resolve(self, form: str) -> str:
        return self.names.get(form) or self.aliases[form]


def read_lexicon(raw_dir: Path, codes: CodeList) -> Lexicon:
    """Names from the municipality list (a prefecture's own row, e.g. 東京都, is the
    prefecture itself: an outside body) plus the aliases file (``#`` lines are comments)."""
    names: dict[str, str] = {}
    prefectures: dict[str, set[str]] = {}
    for m in codes.by_code.values():
        if not m.is_prefecture:
            names[match_key(m.name)] = m.name
            prefectures.setdefault(match_key(m.name), set()).add(m.prefecture)
    aliases: dict[str, str] = {}
    path = raw_dir / ALIASES
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as f:
            lines = [(n, line) for n, line in enumerate(f, start=1) if line.strip() and not line.startswith("#")]
        rows = list(csv.reader(line for _, line in lines))
        if not rows or [c.strip() for c in rows[0]] != ALIAS_COLUMNS:
            raise ManifestError(f"{ALIASES}: 見出しは {','.join(ALIAS_COLUMNS)} です。実際: 「{','.join(rows[0]) if rows else ''}」")
        for (number, _), row in zip(lines[1:], rows[1:]):
            if len(row) != len(ALIAS_COLUMNS) or not row[0].strip() or not row[1].strip():
                raise ManifestError(f"{ALIASES}:{number}: alias, municipality, evidence の3列が必要です")
            municipality = row[1].strip()
            if match_key(municipality) not in names:
                raise ManifestError(f"{ALIASES}:{number}: municipality「{municipality}」は "
                                    "municipality_codes.csv にありません")
            aliases[match_key(row[0])] = municipality
    return Lexicon(names, aliases, {k: frozenset(v) for k, v in prefectures.items()})


@dataclass(frozen=True)
class Mention:
    municipality: str
    form: str  # as printed
    sentence: str
    line: int
    example: bool
    alias: bool


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _line_of(sentence: str, start: int, lines: list[str] | None) -> int:
    """The source line that holds the sentence (its first characters), at or after ``start``."""
    if not lines:
        return start
    probe = match_key(sentence)[:12]
    for number in range(start, min(len(lines), start + 200) + 1):
        if probe and probe in match_key(lines[number - 1]):
            return number
    return start


def _clip(sentence: str) -> str:
    return sentence if len(sentence) <= _EVIDENCE_MAX else sentence[:_EVIDENCE_MAX - 1] + "…"


def attribute(extract: Extract, lexicon: Lexicon, lines: list[str] | None = None) -> list[Issue]:
    """Attribute every initiative with ``municipality is None`` by the rule above (in place);
    return one ``unattributed`` issue per initiative that stays without a municipality."""
    pattern = lexicon.pattern()
    texts: dict[str, list[tuple[int, str]]] = {}
    for n in extract.narratives:
        texts.setdefault(n.initiative_key, []).append((n.line, n.text))
    issues = []
    for initiative in extract.initiatives:
        if initiative.municipality is not None:
            continue
        own = [(initiative.line, initiative.title), (initiative.line, initiative.extra.get("副題") or "")]
        own += sorted(texts.get(initiative.key, []))
        mentions, selves, outside = [], set(), []
        for start, text in own:
            for sentence in _sentences(text):
                key = match_key(sentence)
                selves |= {word for words in _SELF.values() for word in words if word in key}
                outside += [m.group(0) for m in _OUTSIDE.finditer(sentence) if m.group(0) not in outside]
                for found in pattern.finditer(key) if pattern else ():
                    mentions.append(Mention(lexicon.resolve(found.group(0)), found.group(0), sentence,
                                            _line_of(sentence, start, lines), bool(_EXAMPLE.search(sentence)),
                                            found.group(0) not in lexicon.names))
        decided = _decide(initiative.key, mentions, selves)
        if isinstance(decided, tuple):
            municipality, basis, evidence, reason = decided
            initiative.municipality = municipality
            initiative.extra.update({"自治体の判定": basis, "自治体の根拠": _clip(evidence.sentence),
                                     "自治体の根拠行": evidence.line})
            if reason:
                initiative.extra["自治体の判定理由"] = reason
            continue
        hints = f"手がかり (自治体ではない): {'、'.join(outside[:4])}" if outside else ""
        issues.append(Issue(UNATTRIBUTED, f"{initiative.key}: 取組の自治体を本文から決められません（{decided}）。{hints}",
                            (initiative.line,), "自治体は空欄 (NULL) のまま。名前の別表記なら "
                            f"{ALIASES} に追加してください", initiative.key))
    return issues


def _decide(key: str, mentions: list[Mention], selves: set[str]) -> tuple[str, str, Mention, str | None] | str:
    """(municipality, basis, evidence, reason) or the reason it stays unattributed."""
    names = list(dict.fromkeys(m.municipality for m in mentions))
    if not names:
        return "本文に自治体名がありません" + (f"。自称は「{'・'.join(sorted(selves))}」のみ" if selves else "")
    if len(names) > 1:
        return f"本文に複数の自治体名があります: {'、'.join(names)}"
    municipality = names[0]
    plain = sorted((m for m in mentions if not m.example), key=lambda m: m.alias)  # the name itself first
    if plain:
        return municipality, "本文", plain[0], None
    kind = municipality[-1]
    own_words = [w for w in _SELF.get(kind, ()) if w in selves]
    if own_words:
        reason = (f"本文は自らを「{own_words[0]}」と呼び、名前を挙げる{kind}は例示の{municipality}だけです")
        return municipality, "推定", mentions[0], reason
    return f"{municipality} は例示の中だけに出てきます"
