"""「類似の取組」 computed incrementally (etl.similarity.similar_table with a state file): an
unchanged warehouse gets the exact lists back, a new document is compared with every
initiative with the kept vocabulary and IDF, a removed one disappears from every list, and
the hand-labelled precision@5 holds after an incremental update."""
from __future__ import annotations

import pytest

import etl.similarity as similarity
from etl.similarity import SimilarityInput, similar, similar_table
from tests.etl.similar_labels import RELEVANT
from tests.etl.test_similarity import PRECISION_AT_5_FLOOR

LATE = "komae-gyokaku-r3"  # the document added (or removed) after the first computation


@pytest.fixture(scope="module")
def inputs(warehouse) -> list[tuple[str, SimilarityInput]]:
    """(document_id, input) of every initiative of the bundled documents, as the load stage reads them."""
    rows = warehouse.sql(
        "SELECT i.document_id, i.initiative_id, i.title, list(n.text ORDER BY n.line) "
        "FILTER (WHERE n.text IS NOT NULL) FROM _initiatives i LEFT JOIN _narratives n USING (initiative_id) "
        "GROUP BY ALL").fetchall()
    return [(d, SimilarityInput(i, t or "", texts or [])) for d, i, t, texts in rows]


@pytest.fixture
def incremental(monkeypatch):
    """The incremental path at any size, without the refresh that would make it exact again."""
    monkeypatch.setattr(similarity, "INCREMENTAL_ABOVE", 0)
    monkeypatch.setattr(similarity, "REFRESH_SHARE", 1.0)


class Reader:
    """``read`` for similar_table over ``inputs``, recording which documents it was asked for."""

    def __init__(self, inputs, documents):
        self.pairs = [p for p in inputs if p[0] in documents]
        self.asked: list = []

    def __call__(self, documents):
        self.asked.append(None if documents is None else sorted(documents))
        return [p for p in self.pairs if documents is None or p[0] in documents]


def _documents(inputs, version="1", leave_out=()) -> dict[str, str]:
    return {d: f"{d}@{version}" for d, _ in inputs if d not in leave_out}


def _lists(table) -> dict[str, list[str]]:
    """initiative -> its neighbours in rank order, from an Arrow table or similar()'s rows."""
    rows = table if isinstance(table, list) else table.to_pylist()
    out: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: (r["initiative_id"], r["rank"])):
        out.setdefault(row["initiative_id"], []).append(row["similar_id"])
    return out


def _assert_ranked(table) -> None:
    by_item: dict[str, list[tuple[int, float, str]]] = {}
    for row in table.to_pylist():
        assert row["initiative_id"] != row["similar_id"]
        assert 0 < row["score"] <= 1
        by_item.setdefault(row["initiative_id"], []).append((row["rank"], row["score"], row["similar_id"]))
    for ranks in by_item.values():
        ranks.sort()
        assert [r for r, _, _ in ranks] == list(range(1, len(ranks) + 1)) and len(ranks) <= 10
        assert [s for _, s, _ in ranks] == sorted((s for _, s, _ in ranks), reverse=True)
        assert len({s for _, _, s in ranks}) == len(ranks)  # no neighbour twice


def test_without_a_state_the_table_is_the_exact_rule(inputs, tmp_path):
    documents = _documents(inputs)
    table = similar_table(documents, Reader(inputs, documents), tmp_path / "state", "v")
    assert table.to_pylist() == similar([item for _, item in inputs])
    assert (tmp_path / "state").exists()


def test_nothing_changed_reads_no_initiative_and_gives_the_same_rows(inputs, tmp_path, incremental):
    documents = _documents(inputs)
    first = similar_table(documents, Reader(inputs, documents), tmp_path / "state", "v")
    reader = Reader(inputs, documents)
    again = similar_table(documents, reader, tmp_path / "state", "v")
    assert reader.asked == []
    assert again.equals(first)


def test_an_added_document_is_compared_with_every_initiative(inputs, tmp_path, incremental):
    before = _documents(inputs, leave_out={LATE})
    similar_table(before, Reader(inputs, before), tmp_path / "state", "v")
    after = _documents(inputs)
    reader = Reader(inputs, after)
    table = similar_table(after, reader, tmp_path / "state", "v")
    assert reader.asked == [[LATE]]  # only the new document's initiatives were read
    _assert_ranked(table)
    lists = _lists(table)
    late = {item.initiative_id for d, item in inputs if d == LATE}
    assert late <= set(lists)  # every new initiative has its list
    assert any(set(found) & late for item, found in lists.items() if item not in late)  # and appears in others'
    precisions = [len(set(lists.get(q, [])[:5]) & relevant) / 5 for q, relevant in RELEVANT.items()]
    assert sum(precisions) / len(precisions) >= PRECISION_AT_5_FLOOR


def test_a_removed_document_leaves_every_list(inputs, tmp_path, incremental):
    documents = _documents(inputs)
    similar_table(documents, Reader(inputs, documents), tmp_path / "state", "v")
    fewer = _documents(inputs, leave_out={LATE})
    reader = Reader(inputs, fewer)
    table = similar_table(fewer, reader, tmp_path / "state", "v")
    assert reader.asked == []
    late = {item.initiative_id for d, item in inputs if d == LATE}
    assert not late & (set(table.column("initiative_id").to_pylist()) | set(table.column("similar_id").to_pylist()))
    _assert_ranked(table)
    # A list that never named the removed document's initiatives is kept as it was.
    exact = _lists(similar([item for _, item in inputs]))
    kept = _lists(table)
    untouched = [i for i, found in exact.items() if i not in late and not set(found) & late]
    assert untouched and all(kept[i] == exact[i] for i in untouched)


def test_a_changed_document_replaces_its_rows(inputs, tmp_path, incremental):
    documents = _documents(inputs)
    similar_table(documents, Reader(inputs, documents), tmp_path / "state", "v")
    changed = {**documents, LATE: f"{LATE}@2"}
    reader = Reader(inputs, changed)
    table = similar_table(changed, reader, tmp_path / "state", "v")
    assert reader.asked == [[LATE]]
    _assert_ranked(table)
    assert set(table.column("initiative_id").to_pylist()) == set(_lists(similar([i for _, i in inputs])))


@pytest.mark.parametrize("case", ["many changed", "another ETL version", "damaged state", "unknown fingerprint"])
def test_exact_again_when_the_state_cannot_be_used(inputs, tmp_path, monkeypatch, case):
    monkeypatch.setattr(similarity, "INCREMENTAL_ABOVE", 0)  # REFRESH_SHARE as shipped
    documents = _documents(inputs)
    similar_table(documents, Reader(inputs, documents), tmp_path / "state", "v")
    version = "v"
    if case == "many changed":
        documents = _documents(inputs, version="2")
    elif case == "another ETL version":
        version = "w"
    elif case == "damaged state":
        (tmp_path / "state").write_bytes(b"not a state")
    else:
        documents = {**documents, LATE: None}
    reader = Reader(inputs, documents)
    table = similar_table(documents, reader, tmp_path / "state", version)
    assert reader.asked == [None]  # every initiative read: computed exactly
    assert table.to_pylist() == similar([item for _, item in inputs])
