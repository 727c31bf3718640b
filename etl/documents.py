"""Normalize stage, part 1: the manifest and the corrections file.

``data/raw/manifest.csv`` lists every document (id, file, parser format, municipality,
title, original file name, SHA-256). ``data/raw/corrections.csv`` holds every fix to the
source text (OCR misreadings, a misplaced cell): one row per fix with the line it applies
to, the exact text to find, its replacement and the reason. Fixes are applied before
parsing; each applied fix, and each fix that no longer matches, becomes a data-quality issue.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import settings
from etl.errors import CorrectionError, ManifestError, SourceEncodingError
from etl.model import Issue, SourceDocument
from vocab import QualityKind

MANIFEST = "manifest.csv"
CORRECTIONS = "corrections.csv"
MUNICIPALITY_CODES = "municipality_codes.csv"
ALIASES = "municipality_aliases.csv"  # read by etl.attribution
CATEGORIES = "categories.csv"  # read by etl.categories
SUPPORT_FILES = {MANIFEST, CORRECTIONS, MUNICIPALITY_CODES, ALIASES, CATEGORIES}
MANIFEST_COLUMNS = ["document_id", "file", "format", "municipality", "prefecture", "title",
                    "published", "original_file", "sha256"]
CORRECTION_COLUMNS = ["document_id", "line", "find", "replace", "reason"]


@dataclass(frozen=True)
class ManifestEntry:
    document_id: str
    file: str
    format: str
    municipality: str
    prefecture: str
    title: str
    published: str
    original_file: str
    sha256: str


@dataclass(frozen=True)
class Correction:
    document_id: str
    line: int
    find: str
    replace: str
    reason: str
    row: int  # line in corrections.csv, for messages


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_csv(path: Path, columns: list[str], error: type) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise error(f"{path.name} がありません。data/raw/ に置いてください。")
    reader = csv.DictReader(io.StringIO(read_text(path, bom=True), newline=""))
    if reader.fieldnames != columns:
        raise error(
            f"{path.name}:1: 見出し行が違います。期待: {','.join(columns)} / 実際: "
            f"{','.join(reader.fieldnames or [])}"
        )
    return [(reader.line_num, row) for row in reader]


def read_manifest(raw_dir: Path) -> list[ManifestEntry]:
    entries = []
    for row_no, row in _read_csv(raw_dir / MANIFEST, MANIFEST_COLUMNS, ManifestError):
        if any(row[c] in (None, "") for c in ("document_id", "file", "format", "municipality")):
            raise ManifestError(f"{MANIFEST}:{row_no}: document_id, file, format, municipality は必須です。")
        if not (raw_dir / row["file"]).exists():
            raise ManifestError(f"{MANIFEST}:{row_no}: ファイル {row['file']} が data/raw/ にありません。")
        entries.append(ManifestEntry(**{c: row[c] for c in MANIFEST_COLUMNS}))
    ids = [e.document_id for e in entries]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{MANIFEST}: document_id が重複しています。")
    return entries


def read_corrections(raw_dir: Path) -> list[Correction]:
    corrections = []
    for row_no, row in _read_csv(raw_dir / CORRECTIONS, CORRECTION_COLUMNS, CorrectionError):
        try:
            line = int(row["line"])
        except (TypeError, ValueError):
            raise CorrectionError(f"{CORRECTIONS}:{row_no}: line 列は行番号(整数)です。実際: 「{row['line']}」") from None
        if not row["find"] or not (row["reason"] or "").strip():
            raise CorrectionError(f"{CORRECTIONS}:{row_no}: find と reason は必須です。")
        corrections.append(Correction(row["document_id"], line, row["find"], row["replace"] or "",
                                      row["reason"].strip(), row_no))
    return corrections


def unknown_files(raw_dir: Path, entries: list[ManifestEntry], also_known: Iterable[str] = ()) -> list[str]:
    """Files in data/raw that no manifest row names and no other rule imports (reported, never
    ignored). ``also_known``: files imported without a manifest row (workbooks). Hidden files
    and Excel's ``~$…`` lock files (present while a workbook is open) are not documents."""
    known = {e.file for e in entries} | SUPPORT_FILES | set(also_known)
    return sorted(p.name for p in raw_dir.iterdir()
                  if p.is_file() and p.name not in known and not p.name.startswith((".", "~$")))


def read_text(path: Path, bom: bool = False) -> str:
    """A text file of data/raw as UTF-8 (``bom``: a leading byte-order mark is dropped, as Excel
    writes one into CSV files); ``SourceEncodingError`` names the file and line otherwise."""
    data = path.read_bytes()
    where = f"data/raw/{path.name}"
    if not data.strip():
        raise SourceEncodingError(f"{where}: ファイルが空です。元の文書を保存し直してください。")
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        if error.end >= len(data) and error.reason == "unexpected end of data":
            raise SourceEncodingError(f"{where}:{line}: ファイルの末尾で文字が途中で切れています"
                                      f"（{len(data):,} バイト目）。ファイルが最後まで保存されているか確かめ、"
                                      "元の文書をもう一度置いてください。") from None
        raise SourceEncodingError(f"{where}:{line}: UTF-8 の文字として読めません（{error.start + 1:,} バイト目）。"
                                  f"{_guess_encoding(data)}UTF-8 で保存し直してください。") from None


def _guess_encoding(data: bytes) -> str:
    try:
        data.decode("cp932")
    except UnicodeDecodeError:
        return ""
    return "Shift_JIS で保存されているようです。"


def read_lines(path: Path) -> list[str]:
    # splitlines() handles a last line without a trailing newline like any other line.
    return read_text(path).splitlines()


def apply_corrections(lines: list[str], corrections: list[Correction], file: str) -> list[Issue]:
    """Apply line-scoped fixes in place; return one issue per correction (applied or stale)."""
    issues = []
    for c in corrections:
        if 1 <= c.line <= len(lines) and c.find in lines[c.line - 1]:
            lines[c.line - 1] = lines[c.line - 1].replace(c.find, c.replace)
            issues.append(Issue(QualityKind.CORRECTION, f"「{c.find}」→「{c.replace}」: {c.reason}", (c.line,),
                                f"訂正ファイル {CORRECTIONS}:{c.row} により修正"))
        else:
            issues.append(Issue(QualityKind.CORRECTION_UNUSED,
                                f"訂正「{c.find}」→「{c.replace}」が {file}:{c.line} に見つかりません",
                                (c.line,), f"{CORRECTIONS}:{c.row} を見直してください (未適用)"))
    return issues


def load_document(raw_dir: Path, entry: ManifestEntry,
                  corrections: list[Correction]) -> tuple[SourceDocument, list[Issue]]:
    lines = read_lines(raw_dir / entry.file)
    mine = [c for c in corrections if c.document_id == entry.document_id]
    issues = apply_corrections(lines, mine, entry.file)
    actual = sha256_of(raw_dir / entry.file)
    if entry.sha256 and actual != entry.sha256:
        issues.append(Issue(QualityKind.CHECKSUM_CHANGED,
                            f"{entry.file} の SHA-256 がマニフェストと異なります (文書が更新されました)",
                            (), f"再解析しました。マニフェストの sha256 を {actual} に更新してください"))
    doc = SourceDocument(entry.document_id, entry.file, entry.municipality, entry.title, lines)
    return doc, issues


def load_by_id(document_id: str, raw_dir: Path | str | None = None) -> SourceDocument:
    """Convenience for tests and parser development: one corrected document by id
    (from ``raw_dir``, default the configured raw folder, see ``settings``)."""
    raw_dir = settings.raw_dir() if raw_dir is None else Path(raw_dir)
    entry = next(e for e in read_manifest(raw_dir) if e.document_id == document_id)
    doc, _ = load_document(raw_dir, entry, read_corrections(raw_dir))
    return doc
