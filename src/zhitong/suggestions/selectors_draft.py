"""Reading suggestions for drafting and review (提 · 阅看): the deputy's sections of the
list, the reviewers' queues, the home page's figures; each scoped to who asks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhitong.core.roles import Role
from zhitong.core.scoping import is_unrestricted
from zhitong.suggestions import lifecycle
from zhitong.suggestions.models import CoSigner, Status, Suggestion
from zhitong.suggestions.selectors import suggestions_visible_to

# The deputy's sections of the list (?show=).
SHOW_LEAD = "lead"
SHOW_COSIGNED = "cosigned"
SHOW_INVITED = "invited"
SHOW_RETURNED = "returned"
SHOW_DRAFTS = "drafts"
DEPUTY_SECTIONS = (
    (SHOW_LEAD, _("我领衔的")),
    (SHOW_COSIGNED, _("我联名的")),
    (SHOW_INVITED, _("待我确认的联名邀请")),
    (SHOW_RETURNED, _("被退回修改的")),
    (SHOW_DRAFTS, _("草稿")),
)
# The states in which an invited deputy may still answer.
COSIGN_STATES = sorted(lifecycle.TRANSITIONS["cosign"][0])


def _cosigner(user, *states: str):
    return Exists(
        CoSigner.objects.filter(
            suggestion=OuterRef("pk"), deputy__user_id=user.pk, state__in=states
        )
    )


def deputy_section(user, show: str) -> QuerySet[Suggestion] | None:
    """One of the deputy's sections of their suggestions, or None for an unknown one."""
    if not user.is_authenticated:
        return None
    base = Suggestion.objects.all()
    if show == SHOW_LEAD:
        return base.filter(lead_deputy__user_id=user.pk)
    if show == SHOW_DRAFTS:
        return base.filter(lead_deputy__user_id=user.pk, status=Status.DRAFT)
    if show == SHOW_RETURNED:
        return base.filter(lead_deputy__user_id=user.pk, status=Status.RETURNED)
    if show == SHOW_COSIGNED:
        return base.filter(_cosigner(user, CoSigner.State.ACCEPTED))
    if show == SHOW_INVITED:
        return base.filter(_cosigner(user, CoSigner.State.INVITED), status__in=COSIGN_STATES)
    return None


def review_status_for(user) -> str | None:
    """The state whose suggestions `user` reviews: the street committee the street's
    review, district staff the district's; None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return None
    role = getattr(user, "role", None)
    if role == Role.STREET:
        return Status.STREET_REVIEW
    if role == Role.STAFF or is_unrestricted(user):
        return Status.DISTRICT_REVIEW
    return None


def review_queue(user) -> QuerySet[Suggestion]:
    """The suggestions awaiting `user`'s review, the longest waiting first."""
    status = review_status_for(user)
    if status is None:
        return Suggestion.objects.none()
    return (
        suggestions_visible_to(user)
        .filter(status=status)
        .select_related("lead_deputy", "street", "category", "session__term")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class PendingCount:
    key: str
    label: str
    count: int
    url: str


def pending_counts(user) -> list[PendingCount]:
    """The suggestions' "待处理" figures of a home page, in one query: a deputy's
    invitations to answer, returned drafts and drafts; the reviewers' suggestions
    awaiting their review."""
    if not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, "role", None) == Role.DEPUTY:
        lead = Q(lead_deputy__user_id=user.pk)
        invited = Q(invited_me=True, status__in=COSIGN_STATES)
        counts = (
            Suggestion.objects.alias(invited_me=_cosigner(user, CoSigner.State.INVITED))
            .filter(lead | invited)
            .aggregate(
                invited=Count("pk", filter=invited),
                returned=Count("pk", filter=lead & Q(status=Status.RETURNED)),
                drafts=Count("pk", filter=lead & Q(status=Status.DRAFT)),
            )
        )
        url = reverse("suggestions:list")
        return [
            PendingCount(key, str(label), counts[name], f"{url}?show={key}")
            for key, name, label in (
                (SHOW_INVITED, "invited", _("待确认的联名邀请")),
                (SHOW_RETURNED, "returned", _("被退回修改")),
                (SHOW_DRAFTS, "drafts", _("草稿")),
            )
        ]
    if review_status_for(user) is not None:
        return [
            PendingCount(
                "to_review",
                str(_("待阅看")),
                review_queue(user).order_by().count(),
                reverse("suggestions:review_queue"),
            )
        ]
    return []
