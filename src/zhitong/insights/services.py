"""The router's services: propose a category for a message, keep staff's decisions as
training rows, retrain (a new version, kept only when it measures no worse than the
current one), and each district's auto-routing setting.

The processes call these with their own rows' text; insights imports none of them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.insights import evaluation
from zhitong.insights.data import make_router
from zhitong.insights.models import (
    TEXT_LIMIT,
    TITLE_LIMIT,
    Example,
    Prediction,
    RouterVersion,
    RoutingSettings,
)
from zhitong.insights.router import Message, Router

# One row in this many is held back from every training and measures every version, so
# that two versions are compared on rows neither learnt from.
HELD_BACK_ONE_IN = 5
# A category with fewer training rows than this is left out of a training (it cannot be
# learnt, nor measured).
MIN_ROWS_PER_LABEL = 3
RANKING_SIZE = 3
THRESHOLD_RANGE = (0.5, 0.999)
# The fitted models kept besides the current one's: the newest versions'.
KEEP_MODELS = 3


class InsightsError(Exception):
    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code


@dataclass(frozen=True)
class Proposal:
    label: str
    confidence: float
    ranking: list[tuple[str, float]]


# --- the current version, loaded once per process --------------------------------------

_loaded: dict[str, Router] = {}
_lock = threading.Lock()


def current_version() -> RouterVersion | None:
    return RouterVersion.objects.filter(state=RouterVersion.State.CURRENT).defer("blob").first()


def router_of(version: RouterVersion) -> Router:
    """The fitted router of `version` (read from the database once per process)."""
    with _lock:
        found = _loaded.get(version.digest)
        if found is None:
            blob = RouterVersion.objects.values_list("blob", flat=True).get(pk=version.pk)
            found = Router.loads(bytes(blob))
            _loaded.clear()
            _loaded[version.digest] = found
        return found


def _message(title: str, text: str) -> Message:
    return Message((title or "")[:TITLE_LIMIT], (text or "")[:TEXT_LIMIT])


def propose(
    messages: Sequence[tuple[str, str]], *, version: RouterVersion | None = None
) -> list[Proposal] | None:
    """The current router's (or `version`'s) proposal for each (title, text); None when
    there is no router."""
    version = version or current_version()
    if version is None:
        return None
    router = router_of(version)
    classes, probs = router.predict_proba([_message(t, x) for t, x in messages])
    found = []
    for row in probs:
        order = row.argsort()[::-1][:RANKING_SIZE]
        ranking = [(classes[i], round(float(row[i]), 4)) for i in order]
        found.append(Proposal(ranking[0][0], ranking[0][1], ranking))
    return found


def prediction_record(*, process: str, object_id, title: str, text: str) -> Prediction | None:
    """Propose a category for one object and keep the proposal (the latest one wins)."""
    version = current_version()
    if version is None:
        return None
    proposals = propose([(title, text)], version=version)
    if not proposals:
        return None
    proposal = proposals[0]
    prediction = Prediction(
        process=process,
        object_id=str(object_id),
        version=version,
        label=proposal.label,
        confidence=proposal.confidence,
        ranking=[list(pair) for pair in proposal.ranking],
        created_at=timezone.now(),
    )
    # One statement, written or rewritten: the latest proposal is the row.
    Prediction.objects.bulk_create(
        [prediction],
        update_conflicts=True,
        unique_fields=["process", "object_id"],
        update_fields=["version", "label", "confidence", "ranking", "created_at"],
    )
    return prediction


def predictions_for(process: str, object_ids: Iterable) -> dict[str, Prediction]:
    ids = [str(i) for i in object_ids]
    return {
        p.object_id: p
        for p in Prediction.objects.filter(process=process, object_id__in=ids).select_related(
            "version"
        )
    }


def predictions_fill(
    process: str, rows: Sequence[tuple[object, str, str]]
) -> dict[str, Prediction]:
    """The kept proposals of `rows` ((id, title, text)), proposing (in one batch) for
    those that have none yet; {} when there is no router (one query)."""
    version = current_version()
    if version is None:
        return {}
    found = predictions_for(process, [r[0] for r in rows])
    missing = [r for r in rows if str(r[0]) not in found]
    if not missing:
        return found
    proposals = propose([(title, text) for _id, title, text in missing], version=version) or []
    made = [
        Prediction(
            process=process,
            object_id=str(object_id),
            version=version,
            label=p.label,
            confidence=p.confidence,
            ranking=[list(pair) for pair in p.ranking],
        )
        for (object_id, _t, _x), p in zip(missing, proposals, strict=True)
    ]
    Prediction.objects.bulk_create(made, ignore_conflicts=True)
    return predictions_for(process, [r[0] for r in rows])


# --- training rows ------------------------------------------------------------------------


def example_record(
    *, process: str, object_id, title: str, text: str, label: str, by=None
) -> Example:
    """Staff decided the category of an object: a training row (the latest decision wins),
    a confirmation when the router had proposed the same, else a correction."""
    predicted = (
        Prediction.objects.filter(process=process, object_id=str(object_id))
        .values_list("label", flat=True)
        .first()
        or ""
    )
    source = Example.Source.CONFIRMED if predicted == label else Example.Source.CORRECTED
    example = Example(
        process=process,
        object_id=str(object_id),
        title=(title or "")[:TITLE_LIMIT],
        text=(text or "")[:TEXT_LIMIT],
        label=label,
        source=source,
        predicted=predicted,
        by=by,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    # One statement, written or rewritten: the latest decision is the row.
    Example.objects.bulk_create(
        [example],
        update_conflicts=True,
        unique_fields=["process", "object_id"],
        update_fields=["title", "text", "label", "source", "predicted", "by", "updated_at"],
    )
    return example


def examples_seed(
    rows: Iterable[tuple[str, str, str, str, str]], *, prior: bool = False, weight: float = 1.0
) -> int:
    """Seed training rows ((data set, row id, title, text, label)); those already there are
    left as they are. `prior`: knowledge that is not a message (a taxonomy's subjects),
    trained on with `weight`, never held back to measure. How many were added."""
    made = [
        Example(
            process=process,
            object_id=str(object_id),
            title=(title or "")[:TITLE_LIMIT],
            text=(text or "")[:TEXT_LIMIT],
            label=label,
            source=Example.Source.PRIOR if prior else Example.Source.SEED,
            weight=weight,
        )
        for process, object_id, title, text, label in rows
    ]
    before = Example.objects.count()
    Example.objects.bulk_create(made, ignore_conflicts=True, batch_size=1000)
    return Example.objects.count() - before


def held_back(process: str, object_id: str) -> bool:
    """Whether a row is one of those held back from every training (by its identity, so
    the same rows are held back for every version)."""
    digest = hashlib.sha256(f"{process}:{object_id}".encode()).digest()
    return digest[0] % HELD_BACK_ONE_IN == 0


# --- retraining ----------------------------------------------------------------------------


def _require(user, perm: str, obj=None) -> None:
    if user is not None and not user.has_perm(perm, obj):
        raise PermissionDenied(_("你无权管理分类模型。"))


def retrain(*, by=None) -> RouterVersion:
    """Train a new version on every training row but those held back; measure it, and the
    current version, on the held-back rows; make it current unless it is worse (lower
    macro-F1), else keep it as refused with why. `by`: the person, None for a command."""
    _require(by, "insights.retrain_router")
    every = Example.objects.values_list(
        "process", "object_id", "title", "text", "label", "weight", "source"
    )
    rows = [r for r in every if r[6] != Example.Source.PRIOR]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[4]] = counts.get(row[4], 0) + 1
    kept = {label for label, n in counts.items() if n >= MIN_ROWS_PER_LABEL}
    train = [r for r in rows if r[4] in kept and not held_back(r[0], r[1])]
    test = [r for r in rows if r[4] in kept and held_back(r[0], r[1])]
    if len({r[4] for r in train}) < 2 or not test:
        raise InsightsError(
            "too_few_rows",
            _("训练样本不足：至少需要两个分类、每类至少%(n)s条。") % {"n": MIN_ROWS_PER_LABEL},
        )
    prior_rows = [r for r in every if r[6] == Example.Source.PRIOR and r[4] in kept]
    prior = (
        [Message(r[2], r[3]) for r in prior_rows],
        [r[4] for r in prior_rows],
        [r[5] for r in prior_rows],
    )
    started = time.perf_counter()
    messages = [Message(r[2], r[3]) for r in train]
    labels = [r[4] for r in train]
    router, figures = evaluation.train_and_measure(
        make_router,
        (messages, labels),
        ([Message(r[2], r[3]) for r in test], [r[4] for r in test]),
        prior if prior_rows else None,
    )
    seconds = time.perf_counter() - started
    figures["held_back"] = len(test)
    figures["left_out_labels"] = sorted(set(counts) - kept)

    current = current_version()
    refusal = ""
    if current is not None:
        old = router_of(current)
        compared = evaluation.figures(
            evaluation.score(old, [Message(r[2], r[3]) for r in test], [r[4] for r in test]),
            old.threshold,
        )
        figures["compared"] = {"version": current.number, **compared}
        if figures["macro_f1"] < compared["macro_f1"]:
            refusal = _(
                "在同一批留出样本上，新模型的宏平均F1为%(new).3f，低于在用的第%(n)s版（%(old).3f），"
                "未替换在用模型。"
            ) % {"new": figures["macro_f1"], "old": compared["macro_f1"], "n": current.number}

    with transaction.atomic():
        number = (RouterVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        if not refusal and current is not None:
            RouterVersion.objects.filter(pk=current.pk).update(state=RouterVersion.State.RETIRED)
        version = RouterVersion.objects.create(
            number=number,
            state=RouterVersion.State.REFUSED if refusal else RouterVersion.State.CURRENT,
            trained_by=by,
            examples=len(train) + len(prior_rows),
            labels=sorted(set(labels)),
            figures=figures,
            seconds=round(seconds, 2),
            refusal=refusal,
            blob=(blob := router.dumps()),
            digest=hashlib.sha256(blob).hexdigest(),
        )
        prune_models()
    return version


def prune_models(keep: int = KEEP_MODELS) -> int:
    """Drop the fitted models (3–11 MB each) of all but the newest `keep` versions and the
    current one; their rows, figures and digests stay (the page and the timelines name them).
    Only the current model is ever loaded. Returns how many were dropped."""
    newest = list(RouterVersion.objects.order_by("-number").values_list("pk", flat=True)[:keep])
    return (
        RouterVersion.objects.exclude(pk__in=newest)
        .exclude(state=RouterVersion.State.CURRENT)
        .exclude(blob=b"")
        .update(blob=b"")
    )


# --- auto-routing --------------------------------------------------------------------------


def routing_settings(district_id: int) -> RoutingSettings:
    """The district's auto-routing (off, at 0.95, when its staff set nothing)."""
    found = RoutingSettings.objects.filter(district_id=district_id).first()
    return found or RoutingSettings(district_id=district_id)


def routing_settings_update(*, district, by, auto_route: bool, threshold) -> RoutingSettings:
    _require(by, "insights.change_routing", district)
    low, high = THRESHOLD_RANGE
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise InsightsError("invalid_threshold", _("置信度门槛必须是数字。"))
    if not low <= float(threshold) <= high:
        raise InsightsError(
            "invalid_threshold",
            _("置信度门槛必须在%(low)s至%(high)s之间。") % {"low": low, "high": high},
        )
    found, _created = RoutingSettings.objects.update_or_create(
        district=district,
        defaults={"auto_route": bool(auto_route), "threshold": float(threshold), "changed_by": by},
    )
    return found


def routes_by_itself(prediction: Prediction | None, district_id: int) -> bool:
    """Whether a proposal may be acted on without a person: the district turned
    auto-routing on and the proposal is at least as confident as its threshold."""
    if prediction is None:
        return False
    setting = routing_settings(district_id)
    return setting.auto_route and prediction.confidence >= setting.threshold
