"""The three readings of a tab-separated row the parsers share (etl.sources._text)."""
from __future__ import annotations

from etl.sources._text import TAG_RE, filled_tab_cells, tab_cells, tab_cells_trimmed

ROW = " 17\t\t政策推進課 \tA\t\t"


def test_tab_cells_keep_every_column_in_place():
    assert tab_cells(ROW) == ["17", "", "政策推進課", "A", "", ""]


def test_trimmed_cells_drop_only_the_trailing_empty_columns():
    assert tab_cells_trimmed(ROW) == ["17", "", "政策推進課", "A"]
    assert tab_cells_trimmed("\t\t") == []


def test_filled_cells_keep_text_only_cleaned_by_the_parser_s_own_rule():
    assert filled_tab_cells(ROW) == ["17", "政策推進課", "A"]
    assert filled_tab_cells("<p>狛江</p>\t<br>\t市", lambda c: TAG_RE.sub("", c).strip()) == ["狛江", "市"]
