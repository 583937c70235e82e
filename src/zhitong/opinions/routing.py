"""The router's part in the opinions: a proposed category for each new opinion, and, where
the district turned auto-routing on, the opinion accepted and referred by the router when
it is confident enough (the events name the router's version, never a person).

The proposal is made once the opinion is written (after its transaction commits), so a
failure of the router never costs a citizen their opinion: it is logged, and the queue
proposes again when it shows the opinion.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from zhitong.handling.registry import HandlingError
from zhitong.insights import services as insights
from zhitong.insights.models import Prediction
from zhitong.insights.proposals import Shown, proposals
from zhitong.opinions.models import Opinion, Status
from zhitong.units.models import Category, route_for

logger = logging.getLogger("zhitong.opinions.routing")
PROCESS = "opinions"


def propose_after_commit(opinion: Opinion) -> None:
    pk = opinion.pk
    transaction.on_commit(lambda: propose(pk))


def propose(opinion_id: int) -> Prediction | None:
    """Propose a category for a new opinion and, where the district allows it and the
    router is confident enough, route it by itself. Never raises."""
    try:
        opinion = Opinion.objects.filter(pk=opinion_id, status=Status.RECEIVED).first()
        if opinion is None:
            return None
        prediction = insights.prediction_record(
            process=PROCESS, object_id=opinion.pk, title=opinion.subject, text=opinion.content
        )
        if insights.routes_by_itself(prediction, opinion.district_id):
            route_by_model(opinion, prediction)
        return prediction
    except Exception:  # the opinion is safe; the queue proposes again
        logger.exception("proposing a category for opinion %s failed", opinion_id)
        return None


def untriaged(opinion: Opinion) -> bool:
    """An opinion whose category staff have still to decide."""
    return opinion.status == Status.RECEIVED or (
        opinion.status == Status.ACCEPTED and opinion.category_id is None
    )


def proposals_for(opinions) -> dict[int, Shown]:
    """The router's proposals for the untriaged opinions among `opinions` (made now, in one
    batch, for those that have none), by opinion id; {} when there is no router."""
    return proposals(PROCESS, [(o.pk, o.subject, o.content) for o in opinions if untriaged(o)])


def route_by_model(opinion: Opinion, prediction: Prediction) -> bool:
    """Accept the opinion with the proposed category and refer it to the routing table's
    unit, as the router's act on behalf of whoever turned auto-routing on. Nothing is done
    (False) when the category or its unit is missing, or the opinion was triaged since."""
    from zhitong.opinions import services

    setting = insights.routing_settings(opinion.district_id)
    enabler = setting.changed_by
    category = Category.objects.filter(code=prediction.label, is_active=True).first()
    if enabler is None or not enabler.is_active or category is None:
        return False
    unit = route_for(category, opinion.place or opinion.street or opinion.district)
    if unit is None:
        return False
    model = {
        "name": _("分类模型第%(n)s版（自动）") % {"n": prediction.version.number},
        "version": prediction.version.number,
        "confidence": round(prediction.confidence, 4),
        "threshold": setting.threshold,
        "enabled_by": enabler.get_full_name() or enabler.get_username(),
    }
    try:
        with transaction.atomic():
            opinion = services.opinion_accept(
                opinion=opinion, by=enabler, category=category, model=model
            )
            services.opinion_refer(opinion=opinion, by=enabler, unit=unit, model=model)
    except (HandlingError, PermissionDenied) as error:
        logger.info("auto-routing opinion %s not done: %s", opinion.pk, error)
        return False
    return True
