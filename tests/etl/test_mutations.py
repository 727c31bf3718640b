"""Garbled input: every parser either parses a mutated document or raises SourceFormatError.

Mutations are applied to the real documents (hypothesis): lines deleted, duplicated, swapped,
truncated, or characters replaced. Anything else escaping a parser is a bug.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from etl.documents import load_by_id, read_manifest
from etl.errors import SourceFormatError
from etl.model import Extract, SourceDocument
from etl.sources import SOURCES
from tests.conftest import RAW_DIR

ENTRIES = {e.document_id: e for e in read_manifest(RAW_DIR)}
DOCUMENTS = {doc_id: load_by_id(doc_id, RAW_DIR) for doc_id in ENTRIES}


@st.composite
def mutated_lines(draw, lines: list[str]) -> list[str]:
    out = list(lines)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "garble", "blank_cells"]))
        if op == "delete":
            del out[i: i + draw(st.integers(1, 30))]
        elif op == "duplicate":
            out[i:i] = out[i: i + draw(st.integers(1, 20))]
        elif op == "swap":
            j = draw(st.integers(0, len(out) - 1))
            out[i], out[j] = out[j], out[i]
        elif op == "truncate":
            out = out[:i]
        elif op == "garble":
            text = out[i]
            if text:
                k = draw(st.integers(0, len(text) - 1))
                out[i] = text[:k] + draw(st.text(min_size=0, max_size=5)) + text[k + 1:]
        else:
            out[i] = out[i].replace("\t", "\t\t", draw(st.integers(1, 3)))
    return out


def _check(doc_id: str, lines: list[str]) -> None:
    doc = DOCUMENTS[doc_id]
    mutated = SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, lines)
    try:
        result = SOURCES[ENTRIES[doc_id].format].parse(mutated)
    except SourceFormatError as error:
        assert doc.file in str(error)
        return
    assert isinstance(result, Extract)


@pytest.mark.parametrize("doc_id", sorted(ENTRIES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_document_parses_or_raises_source_format_error(doc_id, data):
    _check(doc_id, data.draw(mutated_lines(DOCUMENTS[doc_id].lines)))


@pytest.mark.parametrize("doc_id", sorted(ENTRIES))
def test_file_without_trailing_newline_parses_completely(doc_id, tmp_path):
    doc = DOCUMENTS[doc_id]
    text = (RAW_DIR / ENTRIES[doc_id].file).read_text(encoding="utf-8")
    assert not text.endswith("\n") or text.rstrip("\n") != text
    parse = SOURCES[ENTRIES[doc_id].format].parse
    with_newline = parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title,
                                        (text.rstrip("\n") + "\n").splitlines()))
    without = parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title,
                                   text.rstrip("\n").splitlines()))
    assert len(without.initiatives) == len(with_newline.initiatives) > 0
    assert without.evaluations == with_newline.evaluations
    assert without.narratives == with_newline.narratives


@pytest.mark.parametrize("doc_id", sorted(ENTRIES))
@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.6])
def test_truncated_document_raises_source_format_error(doc_id, fraction):
    doc = DOCUMENTS[doc_id]
    cut = doc.lines[: int(len(doc.lines) * fraction)]
    with pytest.raises(SourceFormatError) as raised:
        SOURCES[ENTRIES[doc_id].format].parse(SourceDocument(doc.document_id, doc.file, doc.municipality,
                                                          doc.title, cut))
    assert doc.file in str(raised.value)
