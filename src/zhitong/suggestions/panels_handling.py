"""The handling panels of a suggestion's page (办 · 评): the assignments with their
deadlines, chases and extensions, and the acts this user may take on each; the replies
with their files, the co-units' views and the contacts; the deputy's rating; the
commitments. A form is shown exactly when posting it would be accepted (`acts_on`,
`may_rate`, `commitment_acts` ask what the services ask).
"""

from __future__ import annotations

from django.utils import timezone

from zhitong.handling import deadlines
from zhitong.handling.models import Assignment, Extension, Reply
from zhitong.handling.registry import Act, process_for
from zhitong.handling.selectors import DeadlineState, deadline_state
from zhitong.suggestions import forms_handling as forms
from zhitong.suggestions import lifecycle
from zhitong.suggestions.handling import RESULT_CLASSES
from zhitong.suggestions.ledgers import is_overdue
from zhitong.suggestions.models import Commitment, Contact, File
from zhitong.suggestions.panels import register_panel
from zhitong.suggestions.services import settings_for
from zhitong.units.models import HandlingUnit
from zhitong.workdays.selectors import working_calendar

# The acts on one assignment, by the key of their form on the page.
ACCEPT = "accept"
RETURN = "return"
CONTACT = "contact"
REPLY = "reply"
VIEWS = "views"
EXTENSION = "extension"
CHASE = "chase"
DEADLINE = "deadline"
REASSIGN = "reassign"


def _process():
    return process_for("suggestions")


def last_day_to_refuse(suggestion, assignment: Assignment):
    """The last day the unit may refuse (退回) the assignment."""
    days = settings_for(suggestion.district_id).refuse_working_days
    start = deadlines.local_date(assignment.assigned_at)
    return deadlines.compute_rule("working_days", start, days, working_calendar()).due


def acts_on(user, suggestion, assignment: Assignment) -> set[str]:
    """What `user` may do now on `assignment` (as handling.services and the suggestion's
    services would accept it)."""
    process = _process()
    acts: set[str] = set()
    open_ = assignment.state in deadlines.OPEN_STATES
    if not open_:
        return acts

    def ok(act: Act) -> bool:
        return process.may(user, act, suggestion, assignment) and process.can(
            act, suggestion, assignment
        )

    if assignment.state == Assignment.State.PENDING and ok(Act.ACCEPT):
        acts.add(ACCEPT)
    if ok(Act.RETURN):
        acts.add(RETURN)
    handles = user.has_perm("handling.handle_assignment", assignment)
    if handles and lifecycle.allowed("contact", suggestion.status):
        acts.add(CONTACT)
    if assignment.state == Assignment.State.ACCEPTED and ok(Act.REPLY):
        acts.add(REPLY if assignment.role == Assignment.Role.LEAD else VIEWS)
    if (
        assignment.role == Assignment.Role.LEAD
        and assignment.state == Assignment.State.ACCEPTED
        and ok(Act.EXTENSION_REQUEST)
        and not any(e.state == Extension.State.PENDING for e in assignment.extensions.all())
        and process.extension_limit(suggestion, assignment) != 0
    ):
        acts.add(EXTENSION)
    if ok(Act.CHASE):
        acts.add(CHASE)
    if ok(Act.SET_DEADLINE):
        acts.add(DEADLINE)
    if ok(Act.REASSIGN):
        acts.add(REASSIGN)
    return acts


def may_decide_extension(user, suggestion, assignment: Assignment) -> bool:
    return assignment.state in deadlines.OPEN_STATES and _process().may(
        user, Act.EXTENSION_DECIDE, suggestion, assignment
    )


def waiting_reply(suggestion) -> Reply | None:
    """The lead unit's latest reply not yet rated, if the suggestion waits for a rating."""
    if suggestion.case_id is None:
        return None
    return (
        Reply.objects.filter(case_id=suggestion.case_id, rating__isnull=True)
        .exclude(assignment__role=Assignment.Role.CO)
        .order_by("-created_at", "-id")
        .first()
    )


def may_rate(user, suggestion) -> bool:
    return (
        user.has_perm("suggestions.rate_suggestion", suggestion)
        and lifecycle.allowed("rate", suggestion.status)
        and waiting_reply(suggestion) is not None
    )


def commitment_acts(user, suggestion, commitment: Commitment) -> set[str]:
    acts: set[str] = set()
    if (
        getattr(user, "role", None) == "unit"
        and getattr(user, "unit_id", None) == commitment.unit_id
        and lifecycle.allowed("commitment_report", suggestion.status)
        and commitment.state != Commitment.State.VERIFIED
    ):
        acts.add("report")
    if (
        user.has_perm("suggestions.manage_suggestion", suggestion)
        and lifecycle.allowed("commitment_verify", suggestion.status)
        and commitment.state == Commitment.State.REPORTED
    ):
        acts.add("verify")
    return acts


def reassign_units(suggestion, assignment: Assignment):
    """The units a running assignment may go to: the district's active ones, neither its
    own nor one already handling the suggestion."""
    busy = Assignment.objects.filter(
        case_id=assignment.case_id, state__in=deadlines.OPEN_STATES
    ).values("unit_id")
    return (
        HandlingUnit.objects.active()
        .filter(region__path__startswith=suggestion.district.path)
        .exclude(pk=assignment.unit_id)
        .exclude(pk__in=busy)
        .order_by("region__path", "name")
    )


def _bound(request) -> dict:
    return getattr(request, "suggestion_forms", {})


def _form(request, key: str, form_class, **kwargs):
    """The form refused on the last post (bound, with its errors), or a fresh one."""
    return _bound(request).get(key) or form_class(prefix=key, **kwargs)


def _assignments(suggestion) -> list[Assignment]:
    """The lead unit's assignments first, then the co-units', each in order of assignment."""
    found = (
        Assignment.objects.filter(case_id=suggestion.case_id)
        .select_related("unit")
        .prefetch_related("extensions", "chases__chased_by")
    )
    return sorted(found, key=lambda a: (a.role != Assignment.Role.LEAD, a.assigned_at, a.pk))


@register_panel("handling", "suggestions/handling/panel_assignments.html", order=300)
def assignments_panel(request, suggestion):
    if suggestion.case_id is None:
        return None
    user = request.user
    today = timezone.localdate()
    calendar = working_calendar()
    rows = []
    for assignment in _assignments(suggestion):
        acts = acts_on(user, suggestion, assignment)
        state = deadline_state(assignment, today, calendar)
        stored = deadlines.stored(assignment)
        key = f"{assignment.pk}"
        decide = may_decide_extension(user, suggestion, assignment)
        extensions = [
            {
                "extension": extension,
                "form": _form(request, f"decide-{extension.pk}", forms.ExtensionDecideForm)
                if decide and extension.state == Extension.State.PENDING
                else None,
            }
            for extension in assignment.extensions.all()
        ]
        row = {
            "assignment": assignment,
            "deadline_state": state,
            "deadline_label": DeadlineState.LABELS.get(state, ""),
            "explanation": stored.explanation() if stored else "",
            "set_reason": (assignment.deadline or {}).get("reason", ""),
            "chases": list(assignment.chases.all()),
            "extensions": extensions,
            "acts": acts,
            "forms": {},
        }
        if RETURN in acts:
            row["last_day_to_refuse"] = last_day_to_refuse(suggestion, assignment)
        if EXTENSION in acts:
            row["extension_left"] = _process().extension_limit(suggestion, assignment)
        simple = {
            RETURN: forms.ReturnForm,
            CONTACT: forms.ContactForm,
            REPLY: forms.ReplyForm,
            VIEWS: forms.ViewsForm,
            EXTENSION: forms.ExtensionForm,
            CHASE: forms.ChaseForm,
            DEADLINE: forms.DeadlineForm,
        }
        for act, form_class in simple.items():
            if act in acts:
                row["forms"][act] = _form(request, f"{act}-{key}", form_class)
        if REASSIGN in acts:
            row["forms"][REASSIGN] = _form(
                request,
                f"{REASSIGN}-{key}",
                forms.ReassignForm,
                unit_choices=reassign_units(suggestion, assignment),
            )
        rows.append(row)
    if not rows:
        return None
    return {"rows": rows, "today": today}


def _files_by(suggestion, purpose: str, field: str) -> dict[int, list[File]]:
    found: dict[int, list[File]] = {}
    for file in suggestion.files.filter(purpose=purpose).order_by("created_at", "id"):
        found.setdefault(getattr(file, field), []).append(file)
    return found


@register_panel("replies", "suggestions/handling/panel_replies.html", order=310)
def replies_panel(request, suggestion):
    if suggestion.case_id is None:
        return None
    replies = list(
        Reply.objects.filter(case_id=suggestion.case_id)
        .select_related("assignment", "rating")
        .order_by("created_at", "id")
    )
    contacts = list(
        Contact.objects.filter(suggestion=suggestion)
        .select_related("assignment")
        .order_by("contacted_at", "id")
    )
    if not replies and not contacts:
        return None
    files = _files_by(suggestion, File.Purpose.REPLY, "reply_id")
    lead, views = [], []
    for reply in replies:
        rating = getattr(reply, "rating", None)
        item = {
            "reply": reply,
            "files": files.get(reply.pk, []),
            "class_label": RESULT_CLASSES.get(reply.result_class, ""),
            # The scores and the comment; never who rated (背靠背).
            "rating": rating,
            "attitude": (rating.aspects or {}).get("attitude", "") if rating else "",
        }
        is_co = reply.assignment is not None and reply.assignment.role == Assignment.Role.CO
        (views if is_co else lead).append(item)
    return {"replies": lead, "views": views, "contacts": contacts}


@register_panel("rating", "suggestions/handling/panel_rating.html", order=320)
def rating_panel(request, suggestion):
    if not may_rate(request.user, suggestion):
        return None
    return {"form": _form(request, "rate", forms.RateForm), "reply": waiting_reply(suggestion)}


@register_panel("commitments", "suggestions/handling/panel_commitments.html", order=330)
def commitments_panel(request, suggestion):
    commitments = list(suggestion.commitments.select_related("unit").order_by("position", "id"))
    if not commitments:
        return None
    files = _files_by(suggestion, File.Purpose.EVIDENCE, "commitment_id")
    today = timezone.localdate()
    rows = []
    for commitment in commitments:
        acts = commitment_acts(request.user, suggestion, commitment)
        rows.append(
            {
                "commitment": commitment,
                "overdue": is_overdue(commitment, today),
                "files": files.get(commitment.pk, []),
                "report_form": _form(request, f"report-{commitment.pk}", forms.CommitmentReportForm)
                if "report" in acts
                else None,
                "verify_form": _form(request, f"verify-{commitment.pk}", forms.CommitmentVerifyForm)
                if "verify" in acts
                else None,
            }
        )
    return {"rows": rows}
