"""Deck → PDF through LibreOffice: offered where it exists, explained where it does not."""
from __future__ import annotations

import pytest

from exports import pdf


def test_missing_converter_raises_with_the_install_hint(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert pdf.converter() is None
    with pytest.raises(pdf.ConverterMissing, match="LibreOffice が必要です"):
        pdf.pptx_to_pdf(b"not used")


@pytest.mark.skipif(pdf.converter() is None, reason="LibreOffice (soffice) is not installed on this machine")
def test_unreadable_input_is_a_conversion_failure():
    with pytest.raises(pdf.ConversionFailed, match="PDF を作れませんでした"):
        pdf.pptx_to_pdf(b"this is not a presentation")
