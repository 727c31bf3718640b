"""「類似の取組」: for every initiative, the most similar initiatives across the whole warehouse.

The rule, written once:
- Each initiative is read as one text: its title (``TITLE_WEIGHT`` times, so a shared title
  word weighs more than a word of a long narrative) and all its narratives, in the normalised
  matching form (``match_key``: NFKC, one dash, no spaces). Not its themes: those are each
  document's own labels, shared by most items of one plan, and would only tie a plan to itself.
- Japanese needs no tokenizer here: the text is cut into character 2-grams and 3-grams.
- TF-IDF: tf = 1 + log(count), idf = log((1 + N) / (1 + df)) + 1, rows scaled to length 1,
  so the score is the cosine similarity (0–1). An n-gram found in one initiative only cannot
  link two initiatives and is dropped.
- Top ``TOP_K`` per initiative with a score of at least ``MIN_SCORE``; ties by initiative id.

Scale: the n-grams are numbered with numpy (no Python loop per character), ``CHUNK_TEXTS``
texts at a time and in two passes — document frequencies first, then the counts of the kept
n-grams only —, so the n-grams of all texts are never held at once. The products are sparse
(scipy), ``BLOCK_ROWS`` initiatives at a time, and each row's top list is picked from its
nonzero scores only (one sort per block), never from a dense row over every initiative; a list
keeps only neighbours scoring at least ``MIN_SCORE`` (the incremental state too). The result is
the rule's exactly, ties included.
With many initiatives (above ``PRUNE_ABOVE``), n-grams found in more than ``MAX_DF_SHARE`` of
them are dropped too: they carry almost no weight and would make the product dense. Up to
``PRUNE_ABOVE`` nothing is pruned, so there the product can be nearly dense: about 10 s of CPU at
5,000 generated initiatives whose narratives share one template sentence, 0.3 s at 5,001.

Incremental (``similar_table`` with a state file, from ``INCREMENTAL_ABOVE`` initiatives): a build
keeps its n-gram vocabulary, IDF weights, TF-IDF rows and top lists beside the extract cache. The
next build recomputes only what changed: the rows of changed or new documents are weighted
with the kept vocabulary and IDF (n-grams the vocabulary lacks are ignored; document
frequencies are not updated) and compared with every row; each other initiative's list takes
a new document's initiative in when it scores higher, and is recomputed when it named a
removed one. That is the approximation accepted: after an import the IDF is the one of the
last exact computation, which is redone once the initiatives changed since then exceed
``REFRESH_SHARE`` of all. With nothing changed the kept lists are the exact ones.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pyarrow as pa
from scipy import sparse

from etl.normalize import match_key

TOP_K = 10
MIN_SCORE = 0.05
TITLE_WEIGHT = 6  # chosen on the RPA items (tests/etl/test_similarity.py)
BLOCK_ROWS = 256  # rows per sparse product (each row's top list is picked from its nonzero scores)
CHUNK_TEXTS = 4096  # texts whose n-grams are numbered at once (memory: their n-grams only)
PRUNE_ABOVE = 5_000
MAX_DF_SHARE = 0.02
INCREMENTAL_ABOVE = 20_000  # initiatives; smaller warehouses are always computed exactly
REFRESH_SHARE = 0.05  # changed initiatives since the last exact computation that trigger one
_BITS = 21  # a Unicode code point fits in 21 bits, so a 3-gram fits in one int64
_COLUMN_BITS = 24  # initiatives below 2**24 get the packed sort in ``_top`` (else a slower lexsort)


@dataclass(frozen=True)
class SimilarityInput:
    initiative_id: str
    title: str
    narratives: Sequence[str] = ()

    def text(self) -> str:
        # = match_key(" ".join([title] * TITLE_WEIGHT + narratives)): a space is a boundary of
        # NFKC and match_key drops it, so each piece is normalised alone and the title only once.
        return match_key(self.title) * TITLE_WEIGHT + "".join(match_key(n) for n in self.narratives)


def _grams(texts: list[str]) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(n, row, gram)`` for n = 2, 3: each character n-gram of ``texts`` (never across two texts)
    as one int64 code, with the index of its text."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if lengths.sum() == 0:
        return
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)  # the text of each character
    for n in (2, 3):
        count = codes.size - n + 1
        if count <= 0:
            continue
        gram = codes[:count].copy()
        for k in range(1, n):
            gram <<= _BITS
            gram |= codes[k:k + count]
        inside = owner[:count] == owner[n - 1:n - 1 + count]  # starts and ends in one text
        yield n, owner[:count][inside], gram[inside]


def _count_matrix(texts: list[str], vocabulary: dict[int, np.ndarray] | None = None
                  ) -> tuple[sparse.csr_matrix, dict[int, np.ndarray]]:
    """Counts of character 2- and 3-grams per text (rows) and the gram code of each column per n
    (2-grams first, then 3-grams). With ``vocabulary`` the columns are that one's and other
    n-grams are left out; without, every n-gram found gets a column."""
    rows, columns, width, values_by_n = [], [], 0, {}
    for n, row, gram in _grams(texts):
        if vocabulary is None:
            values, column = np.unique(gram, return_inverse=True)
        else:
            values = vocabulary.get(n, np.zeros(0, dtype=np.int64))
            column = np.searchsorted(values, gram)
            found = column < values.size
            found[found] = values[column[found]] == gram[found]
            row, column = row[found], column[found]
        values_by_n[n] = values
        rows.append(row)
        columns.append(column.astype(np.int32) + width)  # 2-grams first, then 3-grams
        width += values.size
    if not rows:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32), values_by_n
    row = np.concatenate(rows)
    column = np.concatenate(columns)
    del rows, columns
    matrix = sparse.csr_matrix((np.ones(row.size, dtype=np.float32), (row, column)), shape=(len(texts), width))
    matrix.sum_duplicates()
    return matrix, values_by_n


def _ngram_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Counts of character 2- and 3-grams per text (rows), columns numbered densely."""
    return _count_matrix(texts)[0]


def _weighted(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """tf = 1 + log(count) times ``idf``, rows scaled to length 1."""
    counts = counts.astype(np.float32)
    counts.data = 1.0 + np.log(counts.data)
    weights = counts.multiply(idf.astype(np.float32)).tocsr()
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags((1.0 / norms).astype(np.float32)) @ weights).tocsr()


@dataclass
class _Vectors:
    matrix: sparse.csr_matrix  # TF-IDF rows, length 1 (float32)
    vocabulary: dict[int, np.ndarray]  # n -> sorted gram codes of the kept columns
    idf: np.ndarray  # per kept column


def _alphabet(texts: list[str]) -> np.ndarray:
    """Every code point found in ``texts``, sorted."""
    seen = np.zeros(0x110000, dtype=bool)
    for start in range(0, len(texts), CHUNK_TEXTS):
        seen[np.frombuffer("".join(texts[start:start + CHUNK_TEXTS]).encode("utf-32-le"), dtype=np.uint32)] = True
    return np.flatnonzero(seen)


def _chunks(texts: list[str], alphabet: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """``texts`` ``CHUNK_TEXTS`` at a time: (its characters as indices into ``alphabet``, the
    chunk's text of each character, how many texts). Made again for each pass: cheaper in
    memory than keeping every text's characters, and encoding is fast."""
    index = np.zeros(0x110000, dtype=np.int64)
    index[alphabet] = np.arange(alphabet.size)
    for start in range(0, len(texts), CHUNK_TEXTS):
        part = texts[start:start + CHUNK_TEXTS]
        lengths = np.fromiter((len(t) for t in part), dtype=np.int64, count=len(part))
        codes = np.frombuffer("".join(part).encode("utf-32-le"), dtype=np.uint32)
        yield index[codes], np.repeat(np.arange(len(part), dtype=np.int64), lengths), len(part)


def _dense_grams(chars: np.ndarray, owner: np.ndarray, size: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(n, row, gram)`` for n = 2, 3 like ``_grams``, each n-gram numbered in base ``size`` (the
    alphabet's): smaller numbers than code points, and in the same order."""
    for n in (2, 3):
        count = chars.size - n + 1
        if count <= 0:
            continue
        gram = chars[:count].copy()
        for k in range(1, n):
            gram *= size
            gram += chars[k:k + count]
        inside = owner[:count] == owner[n - 1:n - 1 + count]
        yield n, owner[:count][inside], gram[inside]


def _document_frequencies(chunks, size: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """n -> (every n-gram found, sorted; in how many texts each occurs), one chunk at a time."""
    found: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {2: [], 3: []}
    for chars, owner, rows in chunks:
        for n, row, gram in _dense_grams(chars, owner, size):
            if size ** n * rows < 2 ** 63:
                pairs = np.sort(gram * rows + row)  # (n-gram, text), by n-gram
                pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # each once
                grams = pairs // rows
            else:  # an alphabet of ~100,000 characters or more: slower, same result
                grams = np.unique(np.stack([gram, row], axis=1), axis=0)[:, 0]
            starts = np.flatnonzero(np.concatenate(([True], grams[1:] != grams[:-1])))
            found[n].append((grams[starts], np.diff(np.append(starts, grams.size))))
    merged = {}
    for n, parts in found.items():
        if not parts:
            merged[n] = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
            continue
        grams = np.concatenate([g for g, _ in parts])
        order = np.argsort(grams, kind="stable")
        grams, df = grams[order], np.concatenate([c for _, c in parts])[order]
        starts = np.flatnonzero(np.concatenate(([True], grams[1:] != grams[:-1])))
        merged[n] = (grams[starts], np.add.reduceat(df, starts) if starts.size else df)
    return merged


def _codes(grams: np.ndarray, n: int, alphabet: np.ndarray, size: int) -> np.ndarray:
    """Alphabet-numbered n-grams -> the code-point codes of ``_grams`` (order kept)."""
    code = np.zeros(grams.size, dtype=np.int64)
    rest = grams.copy()
    for k in range(n):
        code |= alphabet[rest % size].astype(np.int64) << (_BITS * k)
        rest //= size
    return code


def _vectors(texts: list[str]) -> _Vectors:
    """The TF-IDF rows of ``texts`` and their vocabulary, in two passes over chunks of texts
    (document frequencies, then the counts of the kept n-grams only), so all n-grams of all
    texts are never held at once."""
    count = len(texts)
    alphabet = _alphabet(texts)
    size = max(int(alphabet.size), 1)  # size**3 < 2**63: code points are below 2**21
    frequencies = _document_frequencies(_chunks(texts, alphabet), size)
    kept, vocabulary, idf, width = {}, {}, [], 0
    for n, (grams, df) in frequencies.items():
        keep = df >= 2
        if count > PRUNE_ABOVE:
            keep &= df <= MAX_DF_SHARE * count
        kept[n] = (grams[keep], width)
        vocabulary[n] = _codes(grams[keep], n, alphabet, size)
        idf.append(np.log((1.0 + count) / (1.0 + df[keep])) + 1.0)
        width += int(keep.sum())
    idf = np.concatenate(idf).astype(np.float32)
    parts = []
    for chars, owner, rows in _chunks(texts, alphabet):
        row_parts, column_parts = [], []
        for n, row, gram in _dense_grams(chars, owner, size):
            values, offset = kept[n]
            column = np.searchsorted(values, gram)
            hit = column < values.size
            hit[hit] = values[column[hit]] == gram[hit]
            row_parts.append(row[hit])
            column_parts.append(column[hit] + offset)
        row = np.concatenate(row_parts) if row_parts else np.zeros(0, dtype=np.int64)
        column = np.concatenate(column_parts) if column_parts else np.zeros(0, dtype=np.int64)
        counts = sparse.csr_matrix((np.ones(row.size, dtype=np.float32), (row, column)), shape=(rows, width))
        counts.sum_duplicates()
        parts.append(_weighted(counts, idf))
    matrix = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, width), dtype=np.float32)
    return _Vectors(matrix.astype(np.float32), vocabulary, idf)


def _top(rows: sparse.csr_matrix, transposed: sparse.csr_matrix, own: np.ndarray | None,
         k: int, min_score: float) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``rows``: the ``k`` best columns of ``rows @ transposed`` scoring at least
    ``min_score`` as (column, score) arrays, best first, ties by the smaller column (-1 / -inf
    where fewer qualify); ``own[i]``: row i's own column (left out).

    Only the nonzero scores are looked at: each block's are sorted once by (row, score
    descending, column), packed into one int64 (row: 8 bits, the score's float32 bits: 31,
    column: 24), and the first k of each row are its list."""
    count = rows.shape[0]
    best = np.full((count, k), -1, dtype=np.int32)
    scores = np.full((count, k), -np.inf, dtype=np.float32)
    if k <= 0:
        return best, scores
    packed = transposed.shape[1] < 2 ** _COLUMN_BITS and BLOCK_ROWS <= 2 ** 8
    for start in range(0, count, BLOCK_ROWS):
        block = (rows[start:start + BLOCK_ROWS] @ transposed).tocsr()
        size = block.shape[0]
        row = np.repeat(np.arange(size, dtype=np.int64), np.diff(block.indptr))
        keep = block.data >= min_score  # scores are never negative: products of TF-IDF weights
        if own is not None:
            keep &= block.indices != own[start + row]  # not itself
        row, column, value = row[keep], block.indices[keep].astype(np.int64), block.data[keep]
        del block, keep
        if packed:  # a non-negative float32's bits order like its value
            key = (row << 55) | ((0x7FFFFFFF - value.view(np.int32)).astype(np.int64) << _COLUMN_BITS) | column
            key.sort()
            row, column = key >> 55, key & (2 ** _COLUMN_BITS - 1)
            value = (0x7FFFFFFF - ((key >> _COLUMN_BITS) & 0x7FFFFFFF)).astype(np.int32).view(np.float32)
        else:
            order = np.lexsort((column, -value, row))
            row, column, value = row[order], column[order], value[order]
        rank = np.arange(row.size) - np.searchsorted(row, np.arange(size))[row]
        listed = rank < k
        best[start + row[listed], rank[listed]] = column[listed]
        scores[start + row[listed], rank[listed]] = value[listed]
    return best, scores


def _columns(ids: np.ndarray, best: np.ndarray, scores: np.ndarray, min_score: float) -> pa.Table:
    """The ``similar_initiatives`` rows: per row of ``ids`` its listed neighbours scoring at least
    ``min_score``, rank 1 = most similar, score rounded to 4 places."""
    ok = (best >= 0) & (scores >= min_score)
    ranks = np.cumsum(ok, axis=1)
    row, slot = np.nonzero(ok)
    names = pa.array(ids, pa.string())  # once; the columns are taken from it (no Python loop)
    return pa.table({
        "initiative_id": names.take(pa.array(row)),
        "similar_id": names.take(pa.array(best[row, slot])),
        "score": pa.array(np.round(scores[row, slot].astype(np.float64), 4), pa.float64()),
        "rank": pa.array(ranks[row, slot], pa.int32()),
    })


def _exact(items: Sequence[SimilarityInput], top_k: int,
           min_score: float = MIN_SCORE) -> tuple[np.ndarray, _Vectors, np.ndarray, np.ndarray]:
    """Ids in sorted order, their vectors and each one's top list (every row against every row)."""
    ids = np.array(sorted(item.initiative_id for item in items), dtype=object)
    by_id = {item.initiative_id: item for item in items}
    vectors = _vectors([by_id[i].text() for i in ids])
    del by_id
    k = min(top_k, len(ids) - 1)
    best, scores = _top(vectors.matrix, vectors.matrix.T.tocsr(), np.arange(len(ids)), k, min_score)
    return ids, vectors, best, scores


def similar(items: Sequence[SimilarityInput], top_k: int = TOP_K,
            min_score: float = MIN_SCORE) -> list[dict]:
    """Rows ``{initiative_id, similar_id, score, rank}``: each initiative's ``top_k`` most
    similar others (rank 1 = most similar), score rounded to 4 places."""
    if len(items) < 2:
        return []
    ids, _, best, scores = _exact(items, top_k, min_score)
    return _columns(ids, best, scores, min_score).to_pylist()


_EMPTY = pa.table({"initiative_id": pa.array([], pa.string()), "similar_id": pa.array([], pa.string()),
                   "score": pa.array([], pa.float64()), "rank": pa.array([], pa.int32())})


@dataclass
class _State:
    """What an incremental build keeps between builds (see the module docstring)."""

    version: str
    documents: dict[str, str]  # document id -> fingerprint of its rows
    ids: np.ndarray  # initiative ids, sorted
    document_of: np.ndarray  # document id of each row
    vectors: _Vectors
    best: np.ndarray  # row -> neighbour rows (-1: none), best first
    scores: np.ndarray
    changed: int  # initiatives changed since the last exact computation


def _read_state(path: Path, version: str) -> _State | None:
    try:
        state = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - a missing or damaged state only means "compute exactly"
        return None
    return state if isinstance(state, _State) and state.version == version else None


def _write_state(path: Path, state: _State) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
    except OSError:
        pass  # only the next build's time


Reader = Callable[[list[str] | None], list[tuple[str, SimilarityInput]]]


def similar_table(documents: dict[str, str | None], read: Reader, state_path: Path | None = None,
                  version: str = "", top_k: int = TOP_K, min_score: float = MIN_SCORE) -> pa.Table:
    """The ``similar_initiatives`` rows of the warehouse as an Arrow table.

    ``documents``: every document id with a fingerprint of its rows (None: unknown, which
    forbids the incremental path); ``read(ids)``: ``(document_id, input)`` of every initiative of
    those documents (``None``: of all). ``state_path``: where the incremental state is kept
    (None: always exact)."""
    state = None
    if state_path is not None and all(documents.values()):
        state = _read_state(state_path, version)
    if state is not None:
        changed = [d for d, f in documents.items() if state.documents.get(d) != f]
        removed = set(state.documents) - set(documents)
        if not changed and not removed:
            return _columns(state.ids, state.best, state.scores, min_score)
        stale = int(np.isin(state.document_of, list(removed | set(changed))).sum())
        limit = REFRESH_SHARE * len(state.ids)
        if len(state.ids) >= INCREMENTAL_ABOVE and state.changed + stale <= limit:
            fresh = read(changed) if changed else []
            moved = state.changed + stale + len(fresh)
            if moved <= limit:  # else (a large new document) exact, below
                state = _update(state, documents, set(changed) | removed, fresh, top_k, min_score)
                state.changed = moved
                _write_state(state_path, state)
                return _columns(state.ids, state.best, state.scores, min_score)
    pairs = read(None)
    if len(pairs) < 2:
        return _EMPTY
    ids, vectors, best, scores = _exact([item for _, item in pairs], top_k, min_score)
    if state_path is not None and all(documents.values()):
        owner = {item.initiative_id: document for document, item in pairs}
        del pairs
        _write_state(state_path, _State(version, dict(documents), ids,
                                        np.array([owner[i] for i in ids], dtype=object), vectors, best, scores, 0))
    return _columns(ids, best, scores, min_score)


def _update(state: _State, documents: dict[str, str], gone: set[str],
            fresh: list[tuple[str, SimilarityInput]], top_k: int, min_score: float = MIN_SCORE) -> _State:
    """The state with the rows of ``gone`` documents replaced by ``fresh`` ones (the vocabulary
    and IDF kept), and every top list brought up to date."""
    keep = ~np.isin(state.document_of, list(gone))
    kept = np.flatnonzero(keep)
    fresh = sorted(fresh, key=lambda pair: pair[1].initiative_id)
    counts, _ = _count_matrix([item.text() for _, item in fresh], state.vectors.vocabulary)
    added = _weighted(counts, state.vectors.idf) if fresh else sparse.csr_matrix((0, state.vectors.idf.size),
                                                                                   dtype=np.float32)
    ids = np.concatenate([state.ids[kept], np.array([i.initiative_id for _, i in fresh], dtype=object)])
    owner = np.concatenate([state.document_of[kept], np.array([d for d, _ in fresh], dtype=object)])
    order = np.argsort(ids, kind="stable")
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)  # old place in ``ids`` -> new row
    matrix = sparse.vstack([state.vectors.matrix[kept], added]).tocsr()[order]
    ids, owner = ids[order], owner[order]
    k = min(top_k, len(ids) - 1)
    # Old rows: neighbours renumbered; a list that named a removed row is recomputed.
    renumber = np.full(len(state.ids), -1, dtype=np.int64)
    renumber[kept] = position[:kept.size]
    best = np.full((len(ids), k), -1, dtype=np.int32)
    scores = np.full((len(ids), k), -np.inf, dtype=np.float32)
    old_best = state.best[kept][:, :k]
    mapped = np.where(old_best >= 0, renumber[np.maximum(old_best, 0)], -1)
    lost = ((old_best >= 0) & (mapped < 0)).any(axis=1)
    rows = position[:kept.size]
    best[rows] = mapped
    scores[rows] = np.where(mapped >= 0, state.scores[kept][:, :k], -np.inf)
    new_rows = position[kept.size:]
    redo = np.concatenate([rows[lost], new_rows]).astype(np.int64)
    transposed = matrix.T.tocsr()
    if redo.size:
        best[redo], scores[redo] = _top(matrix[redo], transposed, redo, k, min_score)
    if new_rows.size:  # the other rows take a new initiative in when it scores higher
        other = np.setdiff1d(np.arange(len(ids)), redo)
        versus = (matrix[other] @ matrix[new_rows].T).toarray().astype(np.float32)
        merged_best = np.concatenate([best[other], np.broadcast_to(new_rows.astype(np.int32), versus.shape)], axis=1)
        merged_scores = np.concatenate([scores[other], versus], axis=1)
        pick = np.lexsort((merged_best, -merged_scores), axis=-1)[:, :k]
        best[other] = np.take_along_axis(merged_best, pick, axis=1)
        scores[other] = np.take_along_axis(merged_scores, pick, axis=1)
    vectors = _Vectors(matrix, state.vectors.vocabulary, state.vectors.idf)
    return _State(state.version, dict(documents), ids, owner, vectors, best, scores, state.changed)
