"""How alike two messages are: a short fingerprint of each, and their cosine.

A message's fingerprint is its `KEEP` most telling character n-grams: the router's hashed
1–3-grams of the title and text (without white space, the first `READ_LIMIT` characters),
weighted by sublinear TF-IDF with the document frequencies of the shipped unlabelled
messages (`data.background()`), of which the heaviest `KEEP` are kept and scaled to unit
length. The rare n-grams that weigh most are the names of places, estates and firms, which
is what tells the same matter from the same kind of matter.

Kept to 128 n-grams, a fingerprint is 768 bytes, and the cosine of two is what the whole
vectors give, or better: measured on the hand-labelled pairs
(data/duplicates/pairs.csv, docs/insights.md).

Pure Python, numpy and scipy; no Django.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from zhitong.insights.router import _HASHER, N_FEATURES, Background, Message

KEEP = 128
READ_LIMIT = 1000
_SPACE = re.compile(r"\s+")
_INDEX = np.dtype("<i4")
_WEIGHT = np.dtype("<f2")


def document(message: Message) -> str:
    parts = [_SPACE.sub("", part or "") for part in (message.title, message.text)]
    return "。".join(part for part in parts if part)[:READ_LIMIT]


@dataclass(frozen=True)
class Print:
    """The kept n-grams (hashed columns, ascending) and their unit-length weights."""

    columns: np.ndarray
    weights: np.ndarray

    def dumps(self) -> bytes:
        return self.columns.astype(_INDEX).tobytes() + self.weights.astype(_WEIGHT).tobytes()

    @classmethod
    def loads(cls, blob: bytes) -> Print:
        blob = bytes(blob)
        size = len(blob) // (_INDEX.itemsize + _WEIGHT.itemsize)
        cut = size * _INDEX.itemsize
        return cls(
            np.frombuffer(blob[:cut], dtype=_INDEX).astype(np.int64),
            np.frombuffer(blob[cut:], dtype=_WEIGHT).astype(np.float32),
        )


EMPTY_PRINT = Print(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


class Printer:
    """Makes fingerprints, with the document frequencies of a background corpus."""

    def __init__(self, background: Background):
        counts = background.counts.astype(np.float64)
        self.idf = (np.log((1.0 + background.documents) / (1.0 + counts)) + 1.0).astype(np.float32)

    def prints(self, messages: Sequence[Message]) -> list[Print]:
        if not messages:
            return []
        hashed = _HASHER.transform([document(m) for m in messages]).tocsr()
        found = []
        for row in range(hashed.shape[0]):
            start, end = hashed.indptr[row], hashed.indptr[row + 1]
            columns = hashed.indices[start:end].astype(np.int64)
            weights = (np.log(hashed.data[start:end]) + 1.0) * self.idf[columns]
            if len(weights) > KEEP:
                # Ties broken by column, so the same text always keeps the same n-grams.
                order = np.lexsort((columns, -weights))[:KEEP]
                columns, weights = columns[order], weights[order]
            norm = float(np.sqrt(np.dot(weights, weights)))
            if norm == 0.0:
                found.append(EMPTY_PRINT)
                continue
            order = np.argsort(columns)
            found.append(Print(columns[order], (weights[order] / norm).astype(np.float32)))
        return found

    def print(self, message: Message) -> Print:
        return self.prints([message])[0]


def matrix(prints: Sequence[Print]) -> sp.csr_matrix:
    """The prints as the rows of one sparse matrix."""
    indptr = np.zeros(len(prints) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(p.columns) for p in prints])
    columns = np.concatenate([p.columns for p in prints]) if prints else np.zeros(0, np.int64)
    weights = np.concatenate([p.weights for p in prints]) if prints else np.zeros(0, np.float32)
    return sp.csr_matrix((weights, columns, indptr), shape=(len(prints), N_FEATURES))


def cosines(query: Print, prints: Sequence[Print]) -> np.ndarray:
    """The cosine of `query` with each of `prints` (0 for an empty print)."""
    if not prints or len(query.columns) == 0:
        return np.zeros(len(prints), dtype=np.float32)
    return (matrix(prints) @ matrix([query]).T).toarray().ravel()


def pairwise(prints: Sequence[Print]) -> np.ndarray:
    """Every cosine among `prints` (n × n, dense): for grouping a few thousand messages."""
    x = matrix(prints)
    return (x @ x.T).toarray()
