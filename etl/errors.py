"""One exception type per ETL stage. Each carries a Japanese message for users.

The CLI prints ``str(error)`` and exits non-zero; it never shows a traceback for these.
"""
from __future__ import annotations


class EtlError(Exception):
    """Base class: anything the ETL raises on purpose."""

    stage = "ETL"

    def __str__(self) -> str:  # the Japanese message users see
        return self.args[0] if self.args else self.stage


class ManifestError(EtlError):
    """data/raw/manifest.csv is missing, malformed or names a missing file."""

    stage = "マニフェスト"


class CorrectionError(EtlError):
    """data/raw/corrections.csv is malformed (not: a correction that no longer applies)."""

    stage = "訂正ファイル"


class SourceFormatError(EtlError):
    """A document does not have the structure its parser expects.

    ``file`` is the path under data/raw, ``line`` 1-based, ``expected``/``found``
    short Japanese descriptions (``found`` is usually the offending line's text).
    """

    stage = "抽出"

    def __init__(self, file: str, line: int | None, expected: str, found: str):
        self.file, self.line, self.expected, self.found = file, line, expected, found
        where = f"{file}:{line}" if line else file
        shown = found if len(found) <= 80 else found[:77] + "…"
        super().__init__(
            f"{where}: 文書の形式を読み取れません。期待したもの: {expected} / 実際の内容: 「{shown}」"
        )


class SourceEncodingError(EtlError):
    """A text file in data/raw cannot be read as UTF-8 text: empty, cut off in the middle of a
    character, or saved in another encoding (Shift_JIS …)."""

    stage = "読み込み"


class ValidationError(EtlError):
    """The built warehouse violates an invariant of the public views."""

    stage = "検証"


class LoadError(EtlError):
    """Writing or swapping the warehouse file failed."""

    stage = "書き込み"


class WorkbookError(EtlError):
    """An Excel workbook (.xlsx) in data/raw has errors, so none of it was imported.

    ``problems`` holds every ``etl.workbook.Problem`` found (errors and warnings), each with
    its sheet, row and column; the message lists them as ``file:sheet!row 列「…」: …``.
    """

    stage = "ブック取り込み"

    def __init__(self, message: str, problems: tuple = ()):
        self.problems = tuple(problems)
        super().__init__(message)


class TemplateExportError(EtlError):
    """A municipality's data cannot be written as a workbook (unknown municipality, several
    documents without ``--document``, a text Excel cannot hold)."""

    stage = "テンプレート書き出し"


class HistoryError(EtlError):
    """The import history cannot do what was asked (nothing to undo, a version no longer kept,
    a document that is not an imported workbook)."""

    stage = "履歴"
