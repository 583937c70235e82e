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
- Taxonomy columns (`Terms`): for each first-level class of the taxonomy, how much of the
  message (and of its title alone) is made of character bigrams of that class's subject
  names, log(1 + Σ 1/(classes using the bigram)); 2 × 15 dense columns scaled by
  TERMS_WEIGHT / 3 beside the TF-IDF row, a weight for each learnt per label (so the labels
  need not be the taxonomy's). +0.04 macro-F1 cross-validated (docs/insights.md).

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

# The taxonomy columns' scale (chosen by an inner cross-validation: docs/insights.md).
TERMS_WEIGHT = 0.5


class Terms:
    """A taxonomy's subject names as character bigrams, each with a weight per first-level
    class (1 / the number of classes whose names use it). Built from (class, name) pairs;
    kept in the fitted router (a few thousand bigrams), so predicting reads no file."""

    def __init__(self, names: Sequence[tuple[str, str]] = ()):
        classes = sorted({cls for cls, _name in names})
        users: dict[str, set[int]] = {}
        for cls, name in names:
            name = _clean(name)
            if not name or name == "其他":
                continue
            for i in range(len(name) - 1):
                users.setdefault(name[i : i + 2], set()).add(classes.index(cls))
        self.width = len(classes)
        self.bigrams = sorted(users)
        vectors = np.zeros((len(self.bigrams), self.width), dtype=np.float32)
        for row, bigram in enumerate(self.bigrams):
            found = sorted(users[bigram])
            vectors[row, found] = 1.0 / len(found)
        self.vectors = vectors
        # Each bigram's own hashed column (not its characters'), for the document columns.
        own = []
        if self.bigrams:
            whole = _HASHER.transform(self.bigrams).tolil().rows
            chars = _HASHER.transform([b[0] for b in self.bigrams] + [b[1] for b in self.bigrams])
            chars = chars.tolil().rows
            n = len(self.bigrams)
            for i in range(n):
                left = set(whole[i]) - set(chars[i]) - set(chars[n + i])
                own.append(min(left) if left else -1)
        self.own = np.array(own, dtype=np.int64)
        self._slots = None
        self._index = None

    def __getstate__(self):
        return {
            "width": self.width,
            "bigrams": self.bigrams,
            "vectors": self.vectors,
            "own": self.own,
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._slots = None
        self._index = None

    def _lookup(self):
        if self._slots is None:
            slots = np.full(N_FEATURES, -1, dtype=np.int32)
            dense = np.zeros((0, self.width), dtype=np.float64)
            kept = self.own >= 0
            columns = self.own[kept]
            if len(columns):
                unique, where = np.unique(columns, return_inverse=True)
                dense = np.zeros((len(unique), self.width), dtype=np.float64)
                np.add.at(dense, where, self.vectors[kept])
                slots[unique] = np.arange(len(unique))
            self._slots, self._dense = slots, dense
            self._index = {b: i for i, b in enumerate(self.bigrams)}
        return self._slots, self._dense

    def columns(self, hashed: sp.csr_matrix, messages: Sequence[Message]) -> np.ndarray:
        """(messages × 2·width): the classes' bigram scores of each document (read off its
        hashed n-gram counts), then of its title alone, scaled by TERMS_WEIGHT / 3."""
        slots, dense = self._lookup()
        found = slots[hashed.indices]
        hit = found >= 0
        running = np.zeros((int(hit.sum()) + 1, self.width))
        if hit.any():
            np.cumsum(dense[found[hit]], axis=0, out=running[1:])
        ends = np.concatenate([[0], np.cumsum(hit)])[hashed.indptr]
        document = np.log1p(running[ends[1:]] - running[ends[:-1]])
        titles = np.zeros((len(messages), self.width))
        for n, message in enumerate(messages):
            title = _clean(message.title)
            for bigram in {title[i : i + 2] for i in range(len(title) - 1)}:
                row = self._index.get(bigram)
                if row is not None:
                    titles[n] += self.vectors[row]
        both = np.hstack([document, np.log1p(titles)]) * (TERMS_WEIGHT / 3.0)
        return both.astype(np.float32)


NO_TERMS = Terms()


def _unit_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    """Each row scaled to unit length, in place (as sklearn's normalize, without its checks,
    which cost more than the work for a single message)."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=x.data * x.data, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data /= norms[rows].astype(x.data.dtype)
    return x


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = scores / TEMPERATURE
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Router:
    """Fit on messages and their labels; predict a probability per label."""

    def __init__(self, background: Background | None = None, terms: Terms | None = None):
        self.background = background or EMPTY
        self.terms = terms or NO_TERMS
        self.threshold = 1.0
        self.classes_: list[str] = []
        self.terms_coef = np.zeros((0, 0), dtype=np.float32)

    # --- features -------------------------------------------------------------------------

    def _tfidf(self, hashed: sp.csr_matrix) -> sp.csr_matrix:
        x = hashed.astype(np.float32, copy=True)
        np.log(x.data, out=x.data)
        x.data += 1.0
        # The weight of each present n-gram (0 for those dropped), then unit length.
        x.data *= self._idf[x.indices]
        x.eliminate_zeros()
        return _unit_rows(x)

    # --- fit and predict ---------------------------------------------------------------------

    @property
    def _extra(self) -> int:
        return 2 * self.terms.width

    def prepare(self, messages: Sequence[Message]) -> sp.csr_matrix:
        """The messages' hashed n-gram counts and their taxonomy columns, side by side, for
        `fit_prepared` and `predict_prepared` (a cross-validation prepares each message
        once, not once per fold)."""
        messages = list(messages)
        hashed = _hashed(messages)
        if not self._extra:
            return hashed
        extra = sp.csr_matrix(self.terms.columns(hashed, messages))
        return sp.hstack([hashed, extra], format="csr")

    def _split(self, prepared: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
        prepared = prepared.tocsr()
        if not self._extra:
            return prepared, np.zeros((prepared.shape[0], 0), dtype=np.float32)
        return prepared[:, :N_FEATURES], prepared[:, N_FEATURES:].toarray()

    def fit(
        self,
        messages: Sequence[Message],
        labels: Sequence[str],
        weights: Sequence[float] | None = None,
    ) -> Router:
        return self.fit_prepared(self.prepare(messages), labels, weights)

    def fit_prepared(
        self,
        prepared: sp.csr_matrix,
        labels: Sequence[str],
        weights: Sequence[float] | None = None,
    ) -> Router:
        if len(set(labels)) < 2:
            raise ValueError("the router needs at least two categories to learn from")
        hashed, extra = self._split(prepared)
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
        if extra.shape[1]:
            narrow = sp.hstack([narrow, sp.csr_matrix(extra)], format="csr")
        model = LinearSVC(C=C, class_weight="balanced", random_state=0)
        model.fit(narrow, list(labels), sample_weight=None if weights is None else list(weights))
        self.classes_ = [str(c) for c in model.classes_]
        coef = model.coef_.astype(np.float32)
        width = extra.shape[1]
        self.coef = coef[:, : coef.shape[1] - width]
        self.terms_coef = coef[:, coef.shape[1] - width :]
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
        messages = list(messages)
        hashed = _hashed(messages)
        extra = self.terms.columns(hashed, messages) if self._extra else None
        return self._predict(hashed, extra)

    def predict_prepared(self, prepared: sp.csr_matrix) -> tuple[list[str], np.ndarray]:
        hashed, extra = self._split(prepared)
        return self._predict(hashed, extra if extra.shape[1] else None)

    def _predict(self, hashed, extra) -> tuple[list[str], np.ndarray]:
        scores = self._scores(self._tfidf(hashed))
        if extra is not None and self.terms_coef.size:
            more = extra @ self.terms_coef.T
            if len(self.classes_) == 2:
                more = np.column_stack([-more[:, 0], more[:, 0]])
            scores = scores + more
        return self.classes_, _softmax(scores)

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
            "terms": self.terms,
            "terms_coef": self.terms_coef,
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
        # Versions fitted before the taxonomy columns have none.
        self.terms = state.get("terms", NO_TERMS)
        self.terms_coef = state.get("terms_coef", np.zeros((0, 0), dtype=np.float32))
        self._weights = None

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes | memoryview) -> Router:
        # Only ever the bytes this module wrote into the project's own database.
        return joblib.load(io.BytesIO(bytes(data)))
