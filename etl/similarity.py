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

Scale: the n-grams are numbered with numpy (no Python loop per character) and the products
are sparse (scipy), computed ``BLOCK_ROWS`` initiatives at a time, so memory stays bounded.
With many initiatives (above ``PRUNE_ABOVE``), n-grams found in more than ``MAX_DF_SHARE`` of
them are dropped too: they carry almost no weight and would make the product dense.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from etl.normalize import match_key

TOP_K = 10
MIN_SCORE = 0.05
TITLE_WEIGHT = 6  # chosen on the RPA items (tests/etl/test_similarity.py)
BLOCK_ROWS = 512
PRUNE_ABOVE = 5_000
MAX_DF_SHARE = 0.02
_BITS = 21  # a Unicode code point fits in 21 bits, so a 3-gram fits in one int64


@dataclass(frozen=True)
class SimilarityInput:
    initiative_id: str
    title: str
    narratives: Sequence[str] = ()

    def text(self) -> str:
        return match_key(" ".join([self.title] * TITLE_WEIGHT + list(self.narratives)))


def _ngram_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Counts of character 2- and 3-grams per text (rows), columns numbered densely."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if lengths.sum() == 0:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    ends = np.cumsum(lengths)
    rows, columns, width = [], [], 0
    for n in (2, 3):
        if codes.size < n:
            continue
        count = codes.size - n + 1
        gram = np.zeros(count, dtype=np.int64)
        for k in range(n):
            gram = (gram << _BITS) | codes[k:k + count]
        position = np.arange(count)
        row = np.searchsorted(ends, position, side="right")
        inside = position + n <= ends[np.minimum(row, len(texts) - 1)]  # not across two texts
        if not inside.any():
            continue
        _, column = np.unique(gram[inside], return_inverse=True)
        rows.append(row[inside])
        columns.append(column + width)  # 2-grams first, then 3-grams: never the same column
        width += int(column.max()) + 1
    if not rows:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float64)
    row = np.concatenate(rows)
    matrix = sparse.csr_matrix((np.ones(row.size), (row, np.concatenate(columns))), shape=(len(texts), width))
    matrix.sum_duplicates()
    return matrix


def tfidf(texts: list[str]) -> sparse.csr_matrix:
    """The TF-IDF rows (length 1) of ``texts``; see the module docstring for the rule."""
    counts = _ngram_matrix(texts)
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = df >= 2
    if n > PRUNE_ABOVE:
        keep &= df <= MAX_DF_SHARE * n
    counts = counts[:, np.flatnonzero(keep)].tocsr()
    df = df[keep]
    counts.data = 1.0 + np.log(counts.data)
    weights = counts.multiply(np.log((1.0 + n) / (1.0 + df)) + 1.0).tocsr()
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ weights


def similar(items: Sequence[SimilarityInput], top_k: int = TOP_K,
            min_score: float = MIN_SCORE) -> list[dict]:
    """Rows ``{initiative_id, similar_id, score, rank}``: each initiative's ``top_k`` most
    similar others (rank 1 = most similar), score rounded to 4 places."""
    if len(items) < 2:
        return []
    ids = [item.initiative_id for item in items]
    order = np.argsort(np.array(ids, dtype=object), kind="stable")  # ties broken by id
    matrix = tfidf([items[i].text() for i in order]).astype(np.float32)
    transposed = matrix.T.tocsc()
    out: list[dict] = []
    k = min(top_k, len(items) - 1)
    for start in range(0, matrix.shape[0], BLOCK_ROWS):
        block = (matrix[start:start + BLOCK_ROWS] @ transposed).toarray()
        block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = -1.0  # not itself
        best = np.argpartition(-block, k - 1, axis=1)[:, :k]
        for offset, candidates in enumerate(best):
            scores = block[offset, candidates]
            # Highest score first; among equal scores the smaller (sorted) position, i.e. id.
            ranked = sorted(zip(-scores, candidates))
            rank = 0
            for negative, column in ranked:
                if -negative < min_score:
                    break
                rank += 1
                out.append({"initiative_id": ids[order[start + offset]], "similar_id": ids[order[column]],
                            "score": round(float(-negative), 4), "rank": rank})
    return out
