"""The timeline's vocabulary: every event verb, registered once by the app that writes it.

Each app declares its verbs as `TextChoices` (the label is what staff read) and registers
them with what else a page needs to know: what the public (a citizen following their
case) reads, or that the step is not shown to the public at all; what someone else
following the same case reads (a merged duplicate's submitter); whether the event's note
is meant for the public or for the handling unit; and how to describe the event's data in
one line. Pages and selectors ask this registry instead of keeping label tables, and
`event_record` refuses a verb nobody registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Verb:
    value: str
    # What staff read (the TextChoices label).
    label: Any
    # What the public reads; None: the step is not shown to the public.
    public: Any = None
    # What another follower of the same case reads (else `public`).
    public_others: Any = None
    # Whether the event's note is shown to the public / to the handling unit.
    note_public: bool = False
    note_unit: bool = False
    # One line about the event's data (unit, due date, decision ...), for staff.
    describe: Callable[[dict], str] | None = None

    @property
    def shown_to_public(self) -> bool:
        return self.public is not None


_VERBS: dict[str, Verb] = {}


def register(choices: type[models.TextChoices], details: dict | None = None) -> None:
    """Register every member of `choices`; `details` maps a member to Verb fields.

    A value registered twice must mean the same thing (same label): two apps cannot give
    one verb two meanings.
    """
    details = details or {}
    unknown = set(details) - set(choices)
    if unknown:
        raise ValueError(f"details for verbs not in {choices.__name__}: {sorted(unknown)}")
    for member in choices:
        verb = Verb(value=member.value, label=member.label, **details.get(member, {}))
        existing = _VERBS.get(member.value)
        if existing is not None and existing != verb:
            raise ValueError(f"event verb {member.value!r} is registered twice, differently")
        _VERBS[member.value] = verb


def verb(value: str) -> Verb | None:
    return _VERBS.get(value)


def is_registered(value: str) -> bool:
    return value in _VERBS


def label(value: str) -> str:
    """What staff read for `value` (the value itself when unknown, e.g. a retired verb)."""
    known = _VERBS.get(value)
    return str(known.label) if known else value


def registered() -> dict[str, Verb]:
    return dict(_VERBS)


class CoreVerb(models.TextChoices):
    """Edits of structure data in the admin (stations, units, routing, deputies, users'
    roles, regions): recorded like any other act, so the audit trail is complete."""

    ADMIN_ADD = "admin_add", _("后台新增")
    ADMIN_CHANGE = "admin_change", _("后台修改")
    ADMIN_DELETE = "admin_delete", _("后台删除")
    # A failed background job started again by hand (core.jobs.job_retry).
    JOB_RETRY = "job_retry", _("手动重试后台任务")


def _describe_admin(data: dict) -> str:
    fields = data.get("labels") or data.get("fields") or []
    return "、".join(str(f) for f in fields if isinstance(f, str))


register(
    CoreVerb,
    {
        CoreVerb.ADMIN_ADD: {"describe": lambda data: str(data.get("object", ""))},
        CoreVerb.ADMIN_CHANGE: {"describe": _describe_admin},
        CoreVerb.ADMIN_DELETE: {"describe": lambda data: str(data.get("object", ""))},
    },
)
