"""The suggestions' two ledgers (一制度两台账): the suggestion handling ledger (建议办理台账)
and the commitment ledger (答复承诺解决事项台账), each read in the user's scope with its
filters, shown as a page and exported (.xlsx or CSV, zhitong.core.sheets.writer); and a
unit's own ratings in aggregate (我单位的评价), never who rated (背靠背).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.roles import Role
from zhitong.core.scoping import is_unrestricted, scope_region_path
from zhitong.core.sheets import writer
from zhitong.handling.models import GIVEN_SCORES, Assignment, Rating, Reply
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions.models import (
    Commitment,
    CongressSession,
    CoSigner,
    Status,
    Suggestion,
)
from zhitong.suggestions.selectors import suggestions_visible_to
from zhitong.units.models import HandlingUnit

CHUNK_SIZE = 500

# --- scope ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerScope:
    """Whose ledger: a district's (staff, leaders), a street's (its committee), a unit's."""

    level: str  # "district" | "street" | "unit" | "all"
    path: str = ""
    unit_id: int | None = None


def ledger_scope(user) -> LedgerScope:
    """The ledger `user` may read, or PermissionDenied (deputies, citizens)."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if is_unrestricted(user):
        return LedgerScope("all")
    role = getattr(user, "role", None)
    if role == Role.UNIT and user.unit_id:
        return LedgerScope("unit", unit_id=user.unit_id)
    path = scope_region_path(user)
    if role in (Role.STAFF, Role.ADMIN, Role.LEADER) and path:
        return LedgerScope("district", path=path)
    if role == Role.STREET and path:
        return LedgerScope("street", path=path)
    raise PermissionDenied(_("只有常委会工作人员、街道人大工委和承办单位可以查看台账。"))


def _streets(scope: LedgerScope) -> QuerySet[Region]:
    streets = Region.objects.filter(level=RegionLevel.STREET).order_by("path")
    if scope.level in ("district", "street"):
        return streets.filter(path__startswith=scope.path)
    if scope.level == "unit":
        return streets.none()
    return streets


def _units(scope: LedgerScope) -> QuerySet[HandlingUnit]:
    units = HandlingUnit.objects.order_by("region__path", "name")
    if scope.level == "unit":
        return units.filter(pk=scope.unit_id)
    if scope.level == "district":
        return units.filter(
            Q(region__path__startswith=scope.path)
            | Q(
                pk__in=Commitment.objects.filter(district__path__startswith=scope.path).values(
                    "unit_id"
                )
            )
        )
    if scope.level == "street":
        return units.filter(
            pk__in=Commitment.objects.filter(street__path__startswith=scope.path).values("unit_id")
        )
    return units


def _sessions(scope: LedgerScope) -> QuerySet[CongressSession]:
    sessions = CongressSession.objects.select_related("term")
    if scope.level in ("district", "street"):
        # A street's path begins with its district's.
        district_path = "/".join(scope.path.strip("/").split("/")[:3]) + "/"
        return sessions.filter(district__path__startswith=district_path)
    if scope.level == "unit":
        handled = Assignment.objects.filter(unit_id=scope.unit_id).values("case_id")
        return sessions.filter(
            pk__in=Suggestion.objects.filter(case_id__in=handled).values("session_id")
        )
    return sessions


def filter_choices(scope: LedgerScope) -> dict:
    return {
        "unit_choices": _units(scope),
        "street_choices": _streets(scope),
        "session_choices": _sessions(scope),
    }


# --- the commitment ledger ----------------------------------------------------------------


def commitments_in_scope(scope: LedgerScope) -> QuerySet[Commitment]:
    rows = Commitment.objects.all()
    if scope.level == "unit":
        return rows.filter(unit_id=scope.unit_id)
    if scope.level == "district":
        return rows.filter(district__path__startswith=scope.path)
    if scope.level == "street":
        return rows.filter(street__path__startswith=scope.path)
    return rows


def overdue_q(today: datetime.date) -> Q:
    """Overdue: its date passed and not verified (报告待核实 still counts)."""
    return Q(due_date__lt=today) & ~Q(state=Commitment.State.VERIFIED)


def commitments_filtered(scope: LedgerScope, data: dict | None) -> QuerySet[Commitment]:
    """The ledger's rows in scope, by the filter form's cleaned data, by due date."""
    rows = commitments_in_scope(scope)
    data = data or {}
    if data.get("state"):
        rows = rows.filter(state=data["state"])
    if data.get("overdue"):
        rows = rows.filter(overdue_q(timezone.localdate()))
    if data.get("unit"):
        rows = rows.filter(unit=data["unit"])
    if data.get("street"):
        rows = rows.filter(street__path__startswith=data["street"].path)
    if data.get("session"):
        rows = rows.filter(suggestion__session=data["session"])
    if data.get("month"):
        year, month = data["month"]
        rows = rows.filter(due_date__year=year, due_date__month=month)
    return rows.select_related("suggestion__session__term", "unit", "street").order_by(
        "due_date", "suggestion_id", "position", "id"
    )


def is_overdue(commitment: Commitment, today: datetime.date) -> bool:
    return commitment.due_date < today and commitment.state != Commitment.State.VERIFIED


def commitment_headers() -> list[str]:
    return [
        _("建议编号"),
        _("建议标题"),
        _("承办单位"),
        _("承诺事项"),
        _("承诺完成时间"),
        _("落实状态"),
        _("落实情况"),
        _("报告时间"),
        _("核实时间"),
        _("是否逾期"),
    ]


COMMITMENT_WIDTHS = [24, 40, 24, 50, 14, 14, 50, 17, 17, 10]


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def commitment_row(commitment: Commitment, today: datetime.date) -> list[str]:
    suggestion = commitment.suggestion
    return [
        suggestion.reference,
        suggestion.title,
        commitment.unit.name,
        commitment.text,
        commitment.due_date.isoformat(),
        commitment.get_state_display(),
        commitment.report,
        _when(commitment.reported_at),
        _when(commitment.verified_at),
        _("是") if is_overdue(commitment, today) else _("否"),
    ]


def commitment_rows(rows: QuerySet[Commitment]):
    today = timezone.localdate()
    for commitment in rows.iterator(chunk_size=CHUNK_SIZE):
        yield commitment_row(commitment, today)


# --- the suggestion handling ledger ---------------------------------------------------------

# The states in which a suggestion is on the handling ledger (assigned, at least once).
HANDLED = (
    Status.ASSIGNED,
    Status.HANDLING,
    Status.REPLIED,
    Status.REHANDLING,
    Status.CARRYING_OUT,
    Status.CLOSED,
)


def handled_statuses():
    return [(value, label) for value, label in Status.choices if value in HANDLED]


def suggestions_filtered(user, data: dict | None) -> QuerySet[Suggestion]:
    """The suggestions of the handling ledger `user` may see, by the filters, by number."""
    ledger_scope(user)  # deputies and citizens keep no ledger
    rows = suggestions_visible_to(user).filter(status__in=HANDLED, case__isnull=False)
    data = data or {}
    if data.get("session"):
        rows = rows.filter(session=data["session"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("unit"):
        rows = rows.filter(
            case_id__in=Assignment.objects.filter(unit=data["unit"], role=Assignment.Role.LEAD)
            .exclude(state__in=[Assignment.State.WITHDRAWN, Assignment.State.RETURNED])
            .values("case_id")
        )
    if data.get("street"):
        rows = rows.filter(street__path__startswith=data["street"].path)
    if data.get("overdue"):
        rows = rows.filter(open_due_date__lt=timezone.localdate())
    return rows.order_by("session_id", "during_session", "number", "id")


def _with_handling(rows: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    return rows.select_related("lead_deputy", "category", "session__term").prefetch_related(
        Prefetch(
            "cosigners",
            queryset=CoSigner.objects.filter(state=CoSigner.State.ACCEPTED)
            .select_related("deputy")
            .order_by("invited_at", "id"),
            to_attr="ledger_cosigners",
        ),
        Prefetch(
            "suggestion_assignments",
            queryset=Assignment.objects.exclude(
                state__in=[Assignment.State.WITHDRAWN, Assignment.State.RETURNED]
            ).order_by("role", "-assigned_at", "id"),
            to_attr="ledger_assignments",
        ),
        Prefetch(
            "suggestion_replies",
            queryset=Reply.objects.select_related("assignment", "rating").order_by(
                "created_at", "id"
            ),
            to_attr="ledger_replies",
        ),
    )


def handling_headers() -> list[str]:
    return [
        _("建议编号"),
        _("标题"),
        _("领衔代表"),
        _("联名代表"),
        _("类别"),
        _("主办单位"),
        _("协办单位"),
        _("交办日期"),
        _("答复期限"),
        _("答复日期"),
        _("是否按期答复"),
        _("答复类别"),
        _("办理结果评价"),
        _("办理态度评价"),
        _("状态"),
    ]


HANDLING_WIDTHS = [24, 40, 10, 24, 16, 24, 30, 12, 12, 12, 12, 10, 12, 12, 14]


def _score_label(value: str) -> str:
    try:
        return str(Rating.Score(value).label)
    except ValueError:
        return ""


def handling_row(suggestion: Suggestion, today: datetime.date) -> list[str]:
    """One suggestion as ledger cells. The rating's scores only: never who rated (the
    unit's export is the same as anyone's: 背靠背)."""
    assignments = suggestion.ledger_assignments
    leads = [a for a in assignments if a.role == Assignment.Role.LEAD]
    lead = leads[0] if leads else None
    cos = [a for a in assignments if a.role == Assignment.Role.CO]
    lead_replies = [r for r in suggestion.ledger_replies if r.result_class]
    first = lead_replies[0] if lead_replies else None
    last = lead_replies[-1] if lead_replies else None
    on_time = ""
    if lead is not None and lead.due_date is not None:
        if first is not None:
            replied_on = timezone.localdate(first.created_at)
            on_time = _("是") if replied_on <= lead.due_date else _("否")
        elif lead.due_date < today:
            on_time = _("否（超期未答复）")
    ratings = [r.rating for r in lead_replies if getattr(r, "rating", None) is not None]
    rating = ratings[-1] if ratings else None
    attitude = (rating.aspects or {}).get("attitude", "") if rating else ""
    return [
        suggestion.reference,
        suggestion.title,
        suggestion.lead_deputy.name,
        "、".join(c.deputy.name for c in suggestion.ledger_cosigners),
        suggestion.category.name if suggestion.category_id else "",
        lead.unit_name if lead else "",
        "、".join(a.unit_name for a in cos),
        timezone.localdate(lead.assigned_at).isoformat() if lead else "",
        lead.due_date.isoformat() if lead and lead.due_date else "",
        timezone.localdate(first.created_at).isoformat() if first else "",
        on_time,
        last.result_class if last else "",
        rating.get_score_display() if rating else "",
        _score_label(attitude) if attitude else "",
        suggestion.get_status_display(),
    ]


def handling_rows(rows: QuerySet[Suggestion]):
    today = timezone.localdate()
    for suggestion in _with_handling(rows).iterator(chunk_size=CHUNK_SIZE):
        yield handling_row(suggestion, today)


def handling_page_rows(suggestions: list[Suggestion]) -> list[list[str]]:
    """Ledger cells for a page of suggestions (already sliced)."""
    today = timezone.localdate()
    found = _with_handling(Suggestion.objects.filter(pk__in=[s.pk for s in suggestions]))
    by_pk = {s.pk: s for s in found}
    return [handling_row(by_pk[s.pk], today) for s in suggestions if s.pk in by_pk]


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFile:
    name: str
    content_type: str
    data: bytes


def ledger_file(*, title: str, headers, rows, widths, fmt: str) -> LedgerFile:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        data = "".join(writer.csv_chunks(headers, rows)).encode("utf-8")
        return LedgerFile(f"{title}-{stamp}.csv", "text/csv; charset=utf-8", data)
    buffer = io.BytesIO()
    writer.write_xlsx(title=title, headers=headers, rows=rows, target=buffer, widths=widths)
    return LedgerFile(f"{title}-{stamp}.xlsx", writer.XLSX, buffer.getvalue())


# --- 我单位的评价: a unit's ratings in aggregate ---------------------------------------------


@dataclass(frozen=True)
class ScoreCount:
    score: str
    label: str
    result: int
    attitude: int


def unit_rating_counts(unit_id: int) -> list[ScoreCount]:
    """How the unit's suggestion replies were rated, counted per score on the result and on
    the attitude: numbers only, never a rater nor which suggestion (背靠背)."""
    ratings = Rating.objects.filter(case__process="suggestions", reply__assignment__unit_id=unit_id)
    result = dict(ratings.values_list("score").annotate(n=Count("id")).values_list("score", "n"))
    attitude: dict[str, int] = {}
    for aspects in ratings.values_list("aspects", flat=True):
        value = (aspects or {}).get("attitude")
        if value:
            attitude[value] = attitude.get(value, 0) + 1
    return [
        ScoreCount(
            score=score.value,
            label=str(score.label),
            result=result.get(score.value, 0),
            attitude=attitude.get(score.value, 0),
        )
        for score in GIVEN_SCORES
    ]
