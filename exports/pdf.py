"""A deck as PDF, through LibreOffice when the machine has it.

python-pptx writes .pptx only; LibreOffice's headless converter is the one office suite a
Debian machine can install (``apt-get install libreoffice-impress``). It is optional: the
dashboard offers the PDF only where :func:`converter` finds it and says what is missing
otherwise. Each conversion runs with its own throw-away LibreOffice profile, because two
conversions sharing the default profile block each other (and a stale lock blocks forever).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 180
INSTALL_HINT = "PDF にするには LibreOffice が必要です (Debian: sudo apt-get install libreoffice-impress)。"


class ConverterMissing(RuntimeError):
    """No LibreOffice (soffice) on this machine."""


class ConversionFailed(RuntimeError):
    """LibreOffice ran but produced no PDF (message carries its output)."""


def converter() -> str | None:
    """Path of the LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pptx_to_pdf(pptx: bytes) -> bytes:
    """Convert a .pptx (bytes) to PDF (bytes), one page per slide."""
    binary = converter()
    if binary is None:
        raise ConverterMissing(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="gyokaku-pdf-") as work:
        folder = Path(work)
        source = folder / "deck.pptx"
        source.write_bytes(pptx)
        profile = (folder / "profile").as_uri()
        try:
            done = subprocess.run(
                [binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise ConversionFailed(f"LibreOffice が {TIMEOUT_SECONDS} 秒以内に終わりませんでした。") from None
        target = folder / "deck.pdf"
        if not target.exists():
            raise ConversionFailed(f"LibreOffice が PDF を作れませんでした (終了コード {done.returncode}): "
                                   f"{(done.stderr or done.stdout).strip()[:300]}")
        return target.read_bytes()
