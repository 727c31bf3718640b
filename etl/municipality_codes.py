"""Which municipality a name means: the national list and its resolution rules.

``data/raw/municipality_codes.csv`` is Japan's list of 全国地方公共団体コード (local government
codes; 6 digits, the last a check digit of JIS X 0402): 47 prefectures and 1,741
municipalities (see scripts/municipality_codes.py for its provenance). Names are not unique
(池田町 ×4, 府中市 in 東京都 and 広島県), so a municipality is keyed by its code and a name is
resolved to one by these rules:

- a workbook's 計画 sheet (``resolve_stated``): 自治体コード if given (it must exist, carry the
  right check digit and agree with 自治体 / 都道府県 when those are given); else 都道府県 +
  名称; else the name alone when it is unique nationally. An ambiguous name without 都道府県
  is refused (``MunicipalityCodeError``, naming the candidates). A name that is not on the
  list (e.g. a fictional 架空市) resolves to no code: the caller records it in data_quality.
- a name inside a document (an initiative's 自治体, 関係自治体, DX case partners;
  ``resolve_within``): within the document's prefecture first, then nationally unique, else
  no code (the caller records why in data_quality) — never a guess.

``label`` is what the screens show: the name, or 「府中市（東京都）」 when several
municipalities of the list share it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import EtlError, ManifestError

MUNICIPALITY_CODES = "municipality_codes.csv"
COLUMNS = ["code", "prefecture", "municipality", "kana"]


class MunicipalityCodeError(EtlError):
    """A stated municipality that cannot be resolved to one code; ``place`` is where it was
    stated (file, sheet, row, field) so the message can name it."""

    def __init__(self, message: str, *, file: str, sheet: str | None = None, row: int | None = None,
                 field: str | None = None):
        self.file, self.sheet, self.row, self.field = file, sheet, row, field
        self.reason = message
        place = file + (f":{sheet}" if sheet else "") + (f"!{row}" if row is not None and sheet else
                                                         f":{row}" if row is not None else "")
        super().__init__(f"{place}" + (f" {field}" if field else "") + f": {message}")


def check_digit(code5: str) -> str:
    """The 6-digit code of a 5-digit one: JIS X 0402's check digit (weights 6..2, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2)))
    digit = (11 - total % 11) % 10 if total >= 11 else 11 - total
    return f"{code5}{digit}"


def valid_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == code


def label_sql(alias: str) -> str:
    """SQL, over a warehouse, for what a table or chart calls row ``alias``'s municipality: the
    ``municipalities.label`` of its 自治体コード (``CodeList.label``: 「府中市（東京都）」 where two
    municipalities share the name), else the row's name (a municipality without a code). Rows
    keep ``municipality_code`` for links and filters; this is for showing and grouping by what
    is shown."""
    return (f"coalesce((SELECT l.label FROM municipalities l WHERE l.code = {alias}.municipality_code), "
            f"{alias}.municipality)")


@dataclass(frozen=True)
class Municipality:
    code: str
    prefecture: str
    name: str
    kana: str = ""

    @property
    def is_prefecture(self) -> bool:
        return self.name == self.prefecture


@dataclass
class CodeList:
    """The national list, indexed by code and by name."""

    by_code: dict[str, Municipality] = field(default_factory=dict)
    by_name: dict[str, list[Municipality]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[Municipality]) -> "CodeList":
        out = cls()
        for m in rows:
            out.by_code[m.code] = m
            out.by_name.setdefault(m.name, []).append(m)
        return out

    def __len__(self) -> int:
        return len(self.by_code)

    def label(self, code: str | None, name: str) -> str:
        """「府中市（東京都）」 when the name is shared nationally, else the name."""
        m = self.by_code.get(code) if code else None
        if m is not None and len(self.by_name.get(m.name, ())) > 1:
            return f"{m.name}（{m.prefecture}）"
        return name

    def candidates(self, name: str) -> list[Municipality]:
        return list(self.by_name.get(name, ()))

    def resolve_within(self, name: str, prefecture: str | None) -> tuple[str | None, str | None]:
        """(code, None) or (None, why not) for a name printed inside a document of ``prefecture``."""
        found = self.candidates(name)
        local = [m for m in found if m.prefecture == prefecture]
        if len(local) == 1:
            return local[0].code, None
        if len(found) == 1:
            return found[0].code, None
        if not found:
            return None, f"「{name}」は全国地方公共団体コードの一覧にありません"
        return None, f"「{name}」は {'・'.join(m.prefecture for m in found)} にあり、どれか決められません"

    def resolve_stated(self, name: str | None, prefecture: str | None, code: str | None, *,
                       file: str, sheet: str | None = None, row: int | None = None,
                       fields: tuple[str, str, str] = ("自治体", "都道府県", "自治体コード")) -> str | None:
        """The code of a municipality a document states about itself (a workbook's 計画 row,
        a manifest row). None when the name is not on the list (the caller records that).
        Raises ``MunicipalityCodeError`` naming the place and field when the statement is wrong
        or ambiguous."""
        name_field, prefecture_field, code_field = fields
        where = dict(file=file, sheet=sheet, row=row)
        if code:
            if not valid_code(code):
                raise MunicipalityCodeError(
                    f"自治体コード「{code}」は6桁の全国地方公共団体コードではありません"
                    + (f"（検査数字が違います。{check_digit(code[:5])} では？）"
                       if len(code) == 6 and code.isdigit() else "（例: 132063）"), field=code_field, **where)
            listed = self.by_code.get(code)
            if listed is None:
                raise MunicipalityCodeError(f"自治体コード「{code}」は全国地方公共団体コードの一覧にありません",
                                            field=code_field, **where)
            if name and name != listed.name:
                raise MunicipalityCodeError(f"自治体コード {code} は {listed.prefecture}{listed.name} です"
                                            f"（{name_field}は「{name}」）", field=code_field, **where)
            if prefecture and prefecture != listed.prefecture:
                raise MunicipalityCodeError(f"自治体コード {code} は {listed.prefecture} の {listed.name} です"
                                            f"（{prefecture_field}は「{prefecture}」）", field=code_field, **where)
            return code
        if not name:
            return None
        found = self.candidates(name)
        if prefecture:
            local = [m for m in found if m.prefecture == prefecture]
            if local:
                return local[0].code
            if found:
                raise MunicipalityCodeError(
                    f"{name} は {prefecture} にありません（{'・'.join(m.prefecture for m in found)} にあります）。"
                    f"{prefecture_field} か {code_field} を直してください", field=prefecture_field, **where)
            return None
        if len(found) == 1:
            return found[0].code
        if len(found) > 1:
            raise MunicipalityCodeError(
                f"{name} は {'・'.join(m.prefecture for m in found)} にあります。"
                f"{prefecture_field} か {code_field} を書いてください", field=name_field, **where)
        return None


def read_code_list(raw_dir: Path) -> CodeList:
    """``raw_dir/municipality_codes.csv`` (an empty list when the file is absent). A bad code,
    a wrong check digit or a repeated code stops the run with ``ManifestError`` naming the line."""
    path = raw_dir / MUNICIPALITY_CODES
    if not path.exists():
        return CodeList()
    from etl.documents import read_text

    reader = csv.DictReader(io.StringIO(read_text(path, bom=True), newline=""))
    if [c.strip() for c in reader.fieldnames or []] != COLUMNS:
        raise ManifestError(f"{MUNICIPALITY_CODES}:1: 見出し行が違います。期待: {','.join(COLUMNS)} / 実際: "
                            f"{','.join(reader.fieldnames or [])}")
    rows, seen = [], {}
    for row in reader:
        number = reader.line_num
        code = (row.get("code") or "").strip()
        name = (row.get("municipality") or "").strip()
        prefecture = (row.get("prefecture") or "").strip()
        if not (len(code) == 6 and code.isdigit()):
            raise ManifestError(f"{MUNICIPALITY_CODES}:{number}: code は6桁の数字です。実際: 「{code}」")
        if check_digit(code[:5]) != code:
            raise ManifestError(f"{MUNICIPALITY_CODES}:{number}: code「{code}」の検査数字が違います"
                                f"（{check_digit(code[:5])} のはずです）")
        if code in seen:
            raise ManifestError(f"{MUNICIPALITY_CODES}:{number}: code「{code}」が {seen[code]} 行目と重複しています")
        if not name or not prefecture:
            raise ManifestError(f"{MUNICIPALITY_CODES}:{number}: prefecture と municipality は必須です")
        seen[code] = number
        rows.append(Municipality(code, prefecture, name, (row.get("kana") or "").strip()))
    return CodeList.of(rows)
