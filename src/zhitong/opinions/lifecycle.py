"""The life of an opinion (意见办理流程): which action may move it from which status to which.

The table is the single source of truth for state changes; services.py checks it before
anything else and pages use the can_* guards to decide which buttons to show. Permission
(who may act) is a separate question, answered in zhitong.opinions.rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhitong.handling.models import Assignment, Rating
from zhitong.opinions.models import Opinion, Status


@dataclass(frozen=True)
class Transition:
    """An action allowed from `sources`; `target` None means the status does not change."""

    sources: frozenset[str]
    target: str | None


def _t(sources, target=None) -> Transition:
    return Transition(frozenset(str(s) for s in sources), str(target) if target else None)


# Statuses in which the opinion is still being worked on before the unit answers.
_BEFORE_REPLY = (Status.RECEIVED, Status.ACCEPTED, Status.REFERRED, Status.HANDLING)
# Statuses that are not final: a merged or declined opinion takes no further action.
_LIVE = (*_BEFORE_REPLY, Status.REPLIED, Status.SENT)

TRANSITIONS: dict[str, Transition] = {
    "accept": _t([Status.RECEIVED], Status.ACCEPTED),
    "decline": _t([Status.RECEIVED, Status.ACCEPTED], Status.DECLINED),
    "answer_on_spot": _t([Status.ACCEPTED], Status.REPLIED),
    "refer": _t([Status.ACCEPTED], Status.REFERRED),
    # The lead unit signs for it; a co-unit signing changes nothing on the opinion.
    "referral_accept": _t([Status.REFERRED], Status.HANDLING),
    # The lead unit says it is not its business: back to triage (accepted).
    "referral_return": _t([Status.REFERRED, Status.HANDLING], Status.ACCEPTED),
    "reply_submit": _t([Status.HANDLING], Status.REPLIED),
    "reply_send": _t([Status.REPLIED], Status.SENT),
    # The target depends on the score and on how often it was returned; see rating_target.
    "rating_submit": _t([Status.SENT]),
    "merge": _t(_BEFORE_REPLY, Status.MERGED),
    "raise_suggestion": _t([*_LIVE, Status.CLOSED, Status.CLOSED_UNSATISFIED]),
    "update_category": _t(_LIVE),
    "extension_request": _t([Status.HANDLING]),
    "extension_decide": _t([Status.HANDLING, Status.REFERRED]),
}

# Final statuses reached by a rating; merged duplicates follow their main one into them.
FINAL_CLOSED = frozenset({Status.CLOSED, Status.CLOSED_UNSATISFIED})

# Assignment states in which the unit still holds the matter.
REFERRAL_OPEN_STATES = frozenset({Assignment.State.PENDING, Assignment.State.ACCEPTED})


def allowed(action: str, status: str) -> bool:
    """Whether `action` may run on an opinion in `status`."""
    return status in TRANSITIONS[action].sources


def target_of(action: str, status: str) -> str:
    """The status after `action` (the same status when the action does not move it)."""
    return TRANSITIONS[action].target or status


def rating_target(score: str, returned_for_rework: int) -> str:
    """Satisfied → closed; the first unsatisfied goes back to the unit; the second closes it."""
    if score != Rating.Score.UNSATISFIED:
        return Status.CLOSED
    if returned_for_rework < 1:
        return Status.HANDLING
    return Status.CLOSED_UNSATISFIED


# --- guards for pages (state only; combine with the permission check) ------------------


def can_accept(opinion: Opinion) -> bool:
    return allowed("accept", opinion.status)


def can_decline(opinion: Opinion) -> bool:
    return allowed("decline", opinion.status)


def can_answer_on_spot(opinion: Opinion) -> bool:
    return allowed("answer_on_spot", opinion.status)


def can_refer(opinion: Opinion) -> bool:
    return allowed("refer", opinion.status)


def can_merge(opinion: Opinion) -> bool:
    return allowed("merge", opinion.status) and opinion.merged_into_id is None


def can_update_category(opinion: Opinion) -> bool:
    return allowed("update_category", opinion.status)


def can_raise_suggestion(opinion: Opinion) -> bool:
    return allowed("raise_suggestion", opinion.status)


def can_send_reply(opinion: Opinion) -> bool:
    return allowed("reply_send", opinion.status)


def can_rate(opinion: Opinion) -> bool:
    return allowed("rating_submit", opinion.status)


def can_accept_referral(referral: Assignment) -> bool:
    if referral.state != Assignment.State.PENDING:
        return False
    if referral.role == Assignment.Role.LEAD:
        return allowed("referral_accept", referral.opinion.status)
    return referral.opinion.status in (Status.REFERRED, Status.HANDLING)


def can_return_referral(referral: Assignment) -> bool:
    if referral.state not in REFERRAL_OPEN_STATES:
        return False
    return allowed("referral_return", referral.opinion.status)


def can_submit_reply(referral: Assignment) -> bool:
    if referral.state != Assignment.State.ACCEPTED:
        return False
    if referral.role == Assignment.Role.LEAD:
        return allowed("reply_submit", referral.opinion.status)
    # A co-unit (协办) gives its part to the lead; the opinion waits for the lead's reply.
    return referral.opinion.status in (Status.REFERRED, Status.HANDLING)


def can_manage_referral(referral: Assignment) -> bool:
    """Staff may chase, reassign or set a new deadline while the unit is on it."""
    return referral.state in (
        Assignment.State.PENDING,
        Assignment.State.ACCEPTED,
    ) and referral.opinion.status in (Status.REFERRED, Status.HANDLING)


def can_request_extension(referral: Assignment) -> bool:
    return (
        referral.role == Assignment.Role.LEAD
        and referral.state == Assignment.State.ACCEPTED
        and allowed("extension_request", referral.opinion.status)
    )
