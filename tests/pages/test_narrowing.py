"""Long choice lists cut to a selectbox's worth, found by a search (the import page's delete
list at a prefecture's scale)."""
from __future__ import annotations

from ui.narrowing import cut_note, narrowed

TOWNS = [f"{n:04d}-府中市" if n % 100 == 0 else f"{n:04d}-町{n}" for n in range(1, 1742)]


def test_without_a_search_the_first_ones_up_to_the_limit():
    shown, matches = narrowed(TOWNS, None, str, 200)
    assert shown == TOWNS[:200] and matches == 1741
    assert cut_note(len(shown), matches, False) == "全 1,741 件のうち 200 件を表示しています。名前で探して絞り込んでください。"


def test_a_search_in_normalised_form_finds_every_match():
    shown, matches = narrowed(TOWNS, " 府中 ", str, 200)  # spaces dropped, as match_key does
    assert matches == 17 and shown == [t for t in TOWNS if "府中市" in t]
    assert cut_note(len(shown), matches, True) is None
    shown, matches = narrowed(TOWNS, "００１", str, 5)  # full-width digits match half-width ones
    assert matches == 12 and shown == ["0001-町1", *[f"{n:04d}-町{n}" for n in range(10, 14)]]  # 0001, 0010–19, 1001
    assert cut_note(len(shown), matches, True).startswith("合う 12 件のうち 5 件")


def test_nothing_matches():
    assert narrowed(TOWNS, "存在しない", str) == ([], 0)
