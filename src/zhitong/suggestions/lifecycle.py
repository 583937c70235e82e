"""The life of a suggestion (建议办理流程): which action may move it from which status.

The table is the single source of truth for the suggestion's own state changes; the
services check it before anything else and pages use `allowed` to decide which forms to
show. Who may act is a separate question (zhitong.suggestions.rules).
"""

from __future__ import annotations

from zhitong.suggestions.models import Status

_BEFORE_FILING = (Status.DRAFT, Status.RETURNED)
_IN_REVIEW = (Status.STREET_REVIEW, Status.DISTRICT_REVIEW)
# Assigned and not yet answered for good: the units hold it.
RUNNING = (Status.ASSIGNED, Status.HANDLING, Status.REHANDLING)
FINAL = (Status.CLOSED, Status.CONVERTED, Status.WITHDRAWN)

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {}


def _t(action: str, sources, target=None) -> None:
    TRANSITIONS[action] = (frozenset(str(s) for s in sources), str(target) if target else None)


_t("edit", _BEFORE_FILING)
_t("invite", _BEFORE_FILING)
_t("cosign", (*_BEFORE_FILING, *_IN_REVIEW, Status.REVIEWED))
_t("submit", _BEFORE_FILING)  # → street or district review, by the street it names
_t("withdraw", (*_BEFORE_FILING, *_IN_REVIEW), Status.WITHDRAWN)
_t("street_review", [Status.STREET_REVIEW])  # pass → district review; return; convert
_t("district_review", [Status.DISTRICT_REVIEW])  # pass → reviewed; return; convert
_t("register", [Status.REVIEWED], Status.REGISTERED)
_t("assign", [Status.REGISTERED], Status.ASSIGNED)
# Staff give a refused assignment to another unit.
_t("reassign_returned", RUNNING)
_t("contact", RUNNING)
_t("reply", (Status.HANDLING, Status.REHANDLING), Status.REPLIED)
_t("co_view", (*RUNNING, Status.REPLIED))
_t("rate", [Status.REPLIED])  # → rehandling, carrying out or closed
_t("commitment_report", (Status.REPLIED, Status.CARRYING_OUT, Status.REHANDLING, Status.CLOSED))
_t("commitment_verify", (Status.REPLIED, Status.CARRYING_OUT, Status.REHANDLING, Status.CLOSED))
_t("supervise", (*RUNNING, Status.REPLIED, Status.CARRYING_OUT))
_t("mark_key", (Status.REGISTERED, *RUNNING, Status.REPLIED, Status.CARRYING_OUT))
_t("quality_review", (Status.REPLIED, Status.CARRYING_OUT, Status.CLOSED))


def allowed(action: str, status: str) -> bool:
    """Whether `action` may run on a suggestion in `status`."""
    return status in TRANSITIONS[action][0]


def target_of(action: str, status: str) -> str:
    return TRANSITIONS[action][1] or status
