"""A chart card's 出典 line names at most five documents: a national slice draws on 1,741."""
from __future__ import annotations

from ui.cards import sources_line


def test_five_documents_are_named_in_full():
    names = [f"文書{n} (file{n}.txt)" for n in range(1, 6)]
    assert sources_line(names) == "出典: " + " ／ ".join(names)


def test_more_are_counted_not_listed():
    names = [f"行財政改革プラン{n} ({n:04d}.xlsx)" for n in range(1, 1742)]
    line = sources_line(names)
    assert line.startswith("出典: 行財政改革プラン1 (0001.xlsx) ／ ")
    assert "行財政改革プラン6 " not in line
    assert line.endswith(" ほか 1,736 文書 (ダウンロードした表の「条件」シートに全文書)")
