"""The basket's URL encoding (``deck=``): round trip, stability, and damaged input never raising."""
from __future__ import annotations

import base64
import json
import re

from hypothesis import given
from hypothesis import strategies as st

from cards import CardRef
from cards.basket import MAX_ITEMS, decode, encode
from warehouse import Filters

BASKET = [
    CardRef.of("trends.grades", Filters(municipality="苫小牧市"), {"level": "実践項目", "share": "割合"}),
    CardRef.of("radar.profile", Filters(municipality="苫小牧市", fiscal_year=2021),
               {"profiles": ["theme|健全な財政運営|2021", "theme|協働の推進|2021"]}),
    CardRef.of("fiscal.by_year", Filters(theme="ICTの活用", department="財政課", grade="A", search="寄附 / 100%")),
]


def test_round_trip_keeps_order_filters_and_options():
    text = encode(BASKET)
    assert decode(text).refs == tuple(BASKET)
    assert decode(text).problems == ()


def test_encoding_is_url_safe_stable_and_versioned():
    text = encode(BASKET)
    assert text.startswith("v1.")
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", text), "no character needs percent-encoding"
    assert encode(list(BASKET)) == text
    # Option order does not matter: the same card is the same text.
    same = CardRef.of("trends.grades", Filters(municipality="苫小牧市"), {"share": "割合", "level": "実践項目"})
    assert encode([same]) == encode(BASKET[:1])
    assert encode([]) == ""
    first = text.split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))) == [
        "trends.grades", {"m": "苫小牧市"}, {"level": "実践項目", "share": "割合"}]


def _token(value) -> str:
    raw = json.dumps(value, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_damaged_and_unknown_items_are_skipped_with_a_reason():
    good = encode(BASKET[:1])
    text = ".".join([good, "!!!", _token(["no.such", {}, {}]), _token({"not": "a list"}),
                     _token(["fiscal.by_year", {"fy": "last year", "zz": "1"}, {"x": 3}])])
    decoded = decode(text)
    assert decoded.refs[0] == BASKET[0]
    assert decoded.refs[1] == CardRef.of("fiscal.by_year")  # an unreadable year and odd keys are ignored
    assert decoded.problems == (
        "2 件目: 資料の項目として読めませんでした",
        "3 件目: 「no.such」というグラフの種類はありません",
        "4 件目: 資料の項目として読めませんでした",
    )


def test_other_versions_empty_and_oversized_input():
    assert decode(None).refs == () and decode("").problems == ()
    assert decode("v2.abc").problems[0].startswith("URL の資料の指定の形式が分かりません")
    assert decode("garbage").refs == ()
    assert decode("v1." + "A" * 40_000).problems == ("URL の資料の指定が長すぎるため読み込めませんでした",)
    many = decode(encode([BASKET[0]] * (MAX_ITEMS + 2)))
    assert len(many.refs) == MAX_ITEMS and len(many.problems) == 1


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(str.strip)


@given(town=st.one_of(st.none(), names), year=st.one_of(st.none(), st.integers(1989, 2100)),
       search=st.one_of(st.none(), names), values=st.lists(names, max_size=4))
def test_any_basket_round_trips(town, year, search, values):
    ref = CardRef.of("cases.counts", Filters(municipality=town, fiscal_year=year, search=search),
                     {"sections": values, "keyword": values[0] if values else None})
    text = encode([ref, ref])
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", text)
    assert decode(text).refs == (ref, ref)
