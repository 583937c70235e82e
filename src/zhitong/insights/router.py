"""The router: a message's title and text in, a probability for each category out.

What it does (each choice measured on the shipped labelled messages, docs/insights.md):

- The text it reads is the title three times and the text, without white space.
- Features: character 1–3-grams, hashed into 2**22 columns (no vocabulary to keep), with
  sublinear TF-IDF. The document frequencies come from a background corpus of unlabelled
  messages (`Background`: the shipped 6,923, counted once per process) and the training
  texts; an n-gram seen in fewer than two documents is dropped.
- A linear SVM (C=0.2, classes balanced), fitted only on the columns its training rows
  use; its scores become probabilities by a softmax at temperature 0.3. The probabilities
  rank proposals and set the auto-routing threshold; they are not calibrated.
- Extra rows may carry a weight (the taxonomy's subject names count twice a message).

Pure Python, numpy, scipy and scikit-learn; no Django. `routing_eval`, the retraining job
and the benchmark use it as it is. Deterministic: the same rows give the same router.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

N_FEATURES = 2**22
TITLE_REPEAT = 3
MIN_DF = 2
C = 0.2
TEMPERATURE = 0.3
# The part of a text it reads: a long letter says what it is about early.
READ_LIMIT = 3000
_SPACE = re.compile(r"\s+")
_HASHER = HashingVectorizer(
    analyzer="char",
    ngram_range=(1, 3),
    n_features=N_FEATURES,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


@dataclass(frozen=True)
class Message:
    title: str
    text: str = ""


def _clean(value: str) -> str:
    return _SPACE.sub("", value or "")[:READ_LIMIT]


def document(message: Message) -> str:
    title = _clean(message.title)
    return " ".join([title] * TITLE_REPEAT + [_clean(message.text)])


def _hashed(messages: Sequence[Message]) -> sp.csr_matrix:
    return _HASHER.transform([document(m) for m in messages]).tocsr()


class Background:
    """How many documents of an unlabelled corpus hold each hashed n-gram."""

    def __init__(self, messages: Sequence[Message] = ()):
        found = _hashed(messages) if messages else sp.csr_matrix((0, N_FEATURES))
        self.documents = found.shape[0]
        self.counts = np.bincount(found.indices, minlength=N_FEATURES).astype(np.int32)


EMPTY = Background()


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = scores / TEMPERATURE
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Router:
    """Fit on messages and their labels; predict a probability per label."""

    def __init__(self, background: Background | None = None):
        self.background = background or EMPTY
        self.threshold = 1.0
        self.classes_: list[str] = []

    # --- features -------------------------------------------------------------------------

    def _tfidf(self, hashed: sp.csr_matrix) -> sp.csr_matrix:
        x = hashed.astype(np.float32, copy=True)
        np.log(x.data, out=x.data)
        x.data += 1.0
        # The weight of each present n-gram (0 for those dropped), then unit length.
        x.data *= self._idf[x.indices]
        x.eliminate_zeros()
        return normalize(x, copy=False)

    # --- fit and predict ---------------------------------------------------------------------

    @staticmethod
    def prepare(messages: Sequence[Message]) -> sp.csr_matrix:
        """The messages' hashed n-gram counts, for `fit_prepared` and `predict_prepared`
        (a cross-validation hashes each message once, not once per fold)."""
        return _hashed(messages)

    def fit(
        self,
        messages: Sequence[Message],
        labels: Sequence[str],
        weights: Sequence[float] | None = None,
    ) -> Router:
        return self.fit_prepared(_hashed(messages), labels, weights)

    def fit_prepared(
        self, hashed: sp.csr_matrix, labels: Sequence[str], weights: Sequence[float] | None = None
    ) -> Router:
        if len(set(labels)) < 2:
            raise ValueError("the router needs at least two categories to learn from")
        counts = self.background.counts + np.bincount(hashed.indices, minlength=N_FEATURES)
        documents = self.background.documents + hashed.shape[0]
        idf = np.log((1.0 + documents) / (1.0 + counts)) + 1.0
        idf[counts < MIN_DF] = 0.0
        self._idf = idf.astype(np.float32)
        x = self._tfidf(hashed)
        # Only the columns the rows use: the rest would get no weight, and fitting on
        # 2**22 columns costs far more.
        self.columns = np.flatnonzero(np.bincount(x.indices, minlength=N_FEATURES))
        where = np.full(N_FEATURES, -1, dtype=np.int64)
        where[self.columns] = np.arange(len(self.columns))
        narrow = sp.csr_matrix(
            (x.data, where[x.indices], x.indptr), shape=(x.shape[0], len(self.columns))
        )
        model = LinearSVC(C=C, class_weight="balanced", random_state=0)
        model.fit(narrow, list(labels), sample_weight=None if weights is None else list(weights))
        self.classes_ = [str(c) for c in model.classes_]
        self.coef = model.coef_.astype(np.float32)
        self.intercept = model.intercept_.astype(np.float32)
        self._weights = None
        return self

    def _scores(self, x: sp.csr_matrix) -> np.ndarray:
        if self._weights is None:
            # (features × classes), rows only for the columns learnt: one sparse product.
            rows = np.repeat(self.columns, self.coef.shape[0])
            cols = np.tile(np.arange(self.coef.shape[0]), len(self.columns))
            self._weights = sp.csr_matrix(
                (self.coef.T.ravel(), (rows, cols)), shape=(N_FEATURES, self.coef.shape[0])
            )
        scores = (x @ self._weights).toarray() + self.intercept
        if len(self.classes_) == 2:  # one score: the second class's side
            scores = np.column_stack([-scores[:, 0], scores[:, 0]])
        return scores

    def predict_proba(self, messages: Sequence[Message]) -> tuple[list[str], np.ndarray]:
        if not messages:
            return self.classes_, np.zeros((0, len(self.classes_)))
        return self.predict_prepared(_hashed(messages))

    def predict_prepared(self, hashed: sp.csr_matrix) -> tuple[list[str], np.ndarray]:
        return self.classes_, _softmax(self._scores(self._tfidf(hashed)))

    # --- kept in the database ------------------------------------------------------------------

    def __getstate__(self):
        # Neither the background's counts nor the dense weights: the weights of the n-grams
        # kept, and the learnt columns.
        kept = np.flatnonzero(self._idf)
        return {
            "classes": self.classes_,
            "threshold": self.threshold,
            "idf_at": kept.astype(np.int32),
            "idf": self._idf[kept],
            "columns": self.columns.astype(np.int32),
            "coef": self.coef,
            "intercept": self.intercept,
        }

    def __setstate__(self, state):
        self.background = EMPTY
        self.classes_ = state["classes"]
        self.threshold = state["threshold"]
        self._idf = np.zeros(N_FEATURES, dtype=np.float32)
        self._idf[state["idf_at"]] = state["idf"]
        self.columns = state["columns"].astype(np.int64)
        self.coef = state["coef"]
        self.intercept = state["intercept"]
        self._weights = None

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes | memoryview) -> Router:
        # Only ever the bytes this module wrote into the project's own database.
        return joblib.load(io.BytesIO(bytes(data)))
