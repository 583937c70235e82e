"""How good a router is: accuracy, macro-F1, top-2 accuracy, and the share of messages it
could route by itself at 95% precision, with the confidence threshold for that chosen on
the training rows by cross-validation (never on the rows measured).

The functions take a `make` that returns an unfitted router (zhitong.insights.router),
so every figure is of a router trained only on the rows it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from zhitong.insights.router import Message, Router

# Rows that are trained on in every fold and never measured: prior knowledge that is not a
# message (the taxonomy's subjects), with its weight.
Prior = tuple[Sequence[Message], Sequence[str], Sequence[float]]


def fit(make: Callable[[], Router], messages, labels, prior: Prior | None) -> Router:
    """A router from `make` trained on the messages and the prior rows."""
    preparer = make()
    hashed = preparer.prepare(list(messages))
    prior_hashed = preparer.prepare(list(prior[0])) if prior else None
    return _fit_rows(make, hashed, list(labels), range(len(labels)), prior_hashed, prior)


def _fit_rows(make, hashed, labels, rows, prior_hashed, prior: Prior | None) -> Router:
    """`fit` on rows of messages already prepared (`Router.prepare`)."""
    x = hashed[list(rows)]
    y = [labels[i] for i in rows]
    if not prior:
        return make().fit_prepared(x, y)
    return make().fit_prepared(
        sp.vstack([x, prior_hashed]).tocsr(),
        y + list(prior[1]),
        [1.0] * len(y) + list(prior[2]),
    )


TARGET_PRECISION = 0.95
# A threshold is read off at least this many rows.
LEAST_ROUTED = 20
# A threshold no probability reaches.
NOTHING = 1.01
FOLDS = 5
LARGE = 5000
SEED = 20260


@dataclass
class Scored:
    """A router's probabilities for some rows, and their true labels."""

    classes: list[str]
    probs: np.ndarray
    truth: list[str]

    @property
    def predicted(self) -> list[str]:
        return [self.classes[i] for i in self.probs.argmax(axis=1)]

    @property
    def confidence(self) -> np.ndarray:
        return self.probs.max(axis=1)

    @property
    def correct(self) -> np.ndarray:
        return np.array([p == t for p, t in zip(self.predicted, self.truth, strict=True)])


def threshold_for_precision(
    confidence: np.ndarray,
    correct: np.ndarray,
    target: float = TARGET_PRECISION,
    least: int = LEAST_ROUTED,
) -> float:
    """The confidence from which rows are routed: walking down from the most confident,
    where the running precision first drops below `target` (after the first `least` rows),
    the threshold is the confidence just before. Above 1 (nothing routed) when even the
    first `least` rows miss the target.

    The deepest point still at `target` (the other rule one could take) routed more on
    the training folds but reached only about 0.89 on the rows measured
    (docs/insights.md): this one stops at the first drop."""
    order = np.argsort(-confidence, kind="stable")
    conf, ok = confidence[order], correct[order].astype(float)
    count = np.arange(1, len(ok) + 1)
    precision = np.cumsum(ok) / count
    below = np.flatnonzero((precision < target) & (count >= least))
    if len(below) == 0:
        return float(conf[-1]) if len(conf) >= least else NOTHING
    k = below[0] - 1
    if k < least - 1:
        return NOTHING
    return float(conf[k])


def figures(scored: Scored, threshold: float) -> dict:
    """The four figures of `scored` (and the precision reached at `threshold`)."""
    truth, predicted = scored.truth, scored.predicted
    labels = sorted(set(truth) | set(predicted))
    top2 = np.argsort(-scored.probs, axis=1)[:, :2]
    index = {c: i for i, c in enumerate(scored.classes)}
    top2_ok = [index.get(t, -1) in row for t, row in zip(truth, top2, strict=True)]
    routed = scored.confidence >= threshold
    correct = scored.correct
    return {
        "rows": len(truth),
        "accuracy": round(float(np.mean(correct)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
        "top2_accuracy": round(float(np.mean(top2_ok)), 4),
        "coverage_at_precision_95": round(float(np.mean(routed)), 4),
        "precision_when_routed": round(float(np.mean(correct[routed])), 4)
        if routed.any()
        else None,
        "threshold": round(float(threshold), 4),
    }


def score(router: Router, messages: Sequence[Message], truth: Sequence[str]) -> Scored:
    classes, probs = router.predict_proba(messages)
    return Scored(list(classes), probs, list(truth))


def out_of_fold(
    make: Callable[[], Router],
    messages: Sequence[Message],
    labels: Sequence[str],
    *,
    folds: int = FOLDS,
    seed: int = SEED,
    prior: Prior | None = None,
) -> Scored:
    """Each row scored by a router trained on the other folds (stratified) and `prior`."""
    labels = list(labels)
    classes = sorted(set(labels))
    probs = np.zeros((len(labels), len(classes)))
    k = max(2, min(folds, min(labels.count(c) for c in classes)))
    # Each message prepared once for all the folds.
    preparer = make()
    hashed = preparer.prepare(list(messages))
    prior_hashed = preparer.prepare(list(prior[0])) if prior else None
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(
        np.zeros(len(labels)), labels
    ):
        router = _fit_rows(make, hashed, labels, train, prior_hashed, prior)
        got, p = router.predict_prepared(hashed[test])
        for j, c in enumerate(got):
            probs[test, classes.index(c)] = p[:, j]
    return Scored(classes, probs, labels)


def choose_threshold(
    make: Callable[[], Router],
    messages: Sequence[Message],
    labels: Sequence[str],
    prior: Prior | None = None,
) -> float:
    """The 95%-precision threshold, chosen on the training rows by cross-validation (5
    folds; 3 from LARGE rows on, where each fold still scores thousands and a retraining
    stays within a minute)."""
    folds = FOLDS if len(labels) < LARGE else 3
    scored = out_of_fold(make, messages, labels, folds=folds, prior=prior)
    return threshold_for_precision(scored.confidence, scored.correct)


def train_and_measure(
    make: Callable[[], Router],
    train: tuple[Sequence[Message], Sequence[str]],
    test: tuple[Sequence[Message], Sequence[str]],
    prior: Prior | None = None,
) -> tuple[Router, dict]:
    """Train on `train` (and `prior`) only, choose the threshold on it, and measure on
    `test`."""
    messages, labels = train
    threshold = choose_threshold(make, messages, labels, prior)
    router = fit(make, messages, labels, prior)
    router.threshold = threshold
    return router, figures(score(router, test[0], test[1]), threshold)


def cross_validated(
    make: Callable[[], Router],
    messages: Sequence[Message],
    labels: Sequence[str],
    *,
    folds: int = FOLDS,
    repeats: int = 1,
    prior: Prior | None = None,
) -> dict:
    """The figures of `folds`-fold cross-validation, repeated `repeats` times with other
    splits: each outer fold's threshold chosen by an inner cross-validation on its own
    training part. Mean and standard deviation over all outer folds."""
    labels = list(labels)
    runs = []
    for r in range(repeats):
        splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED + r)
        for train, test in splitter.split(np.zeros(len(labels)), labels):
            _, got = train_and_measure(
                make,
                ([messages[i] for i in train], [labels[i] for i in train]),
                ([messages[i] for i in test], [labels[i] for i in test]),
                prior,
            )
            runs.append(got)
    keys = ("accuracy", "macro_f1", "top2_accuracy", "coverage_at_precision_95")
    return {
        "folds": folds,
        "repeats": repeats,
        **{k: round(float(np.mean([run[k] for run in runs])), 4) for k in keys},
        **{f"{k}_sd": round(float(np.std([run[k] for run in runs])), 4) for k in keys},
        # Over the folds that routed anything.
        "precision_when_routed": round(
            float(
                np.mean(
                    [r["precision_when_routed"] for r in runs if r["precision_when_routed"]] or [0]
                )
            ),
            4,
        ),
        "folds_routing_nothing": sum(1 for r in runs if not r["precision_when_routed"]),
    }
