"""The processes that hand work to units, each registered once with an adapter.

Handling sits below the processes and never imports them: each process registers a
`Process` (in its AppConfig.ready) that tells handling how to lock its case row, whether
a user may act, what an act does to the case's own state, how to write the one event on
its timeline, and where its case page is. The handling services dispatch through it.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from zhitong.handling.models import Case, Rule


class HandlingError(ValidationError):
    """Bad input for a handling act: a code for tests, a Chinese message for the page."""

    def __init__(self, code: str, message):
        super().__init__(message, code=code)
        self.code = code

    def __str__(self):
        return str(self.messages[0]) if self.messages else self.code


class Act(enum.StrEnum):
    """The acts of handling. The value is the event verb a process records for the act
    unless it names its own (`Process.verbs`); handling.verbs registers them."""

    ACCEPT = "assignment_accept"
    RETURN = "assignment_return"
    REPLY = "assignment_reply"
    # A reply given at once by whoever took the matter, without an assignment.
    REPLY_ON_SPOT = "reply_on_spot"
    # A reviewer sends a reply (maybe edited) to the one who asked (Process.reviews_replies).
    REVIEW = "reply_review"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_DECIDE = "extension_decide"
    CHASE = "chase"
    REASSIGN = "reassign"
    SET_DEADLINE = "deadline_set"
    RATE = "reply_rate"
    RATE_RECORD = "reply_rate_taken"
    # Nobody rated a reply within the days the process allows: the system closes the case
    # as 默认满意 (Process.auto_close_days).
    RATE_DEFAULT = "reply_rate_default"
    DEADLINE_PASSED = "deadline_passed"
    DEADLINE_RECOMPUTED = "deadline_recomputed"


class Process:
    """The adapter of one process. Subclass it, set `name` and `model`, and register it."""

    # The Case.process value, e.g. "opinions", and what the unit inbox calls it.
    name: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    # The case model (with handling.models.CaseMixin).
    model: ClassVar[Any] = None
    # The key under which event data names the assignment (opinions say "referral").
    assignment_key: ClassVar[str] = "assignment"
    # Result classes of a reply (suggestions: A/B/C/D); empty when replies have none.
    result_classes: ClassVar[tuple[str, ...]] = ()
    # Back-to-back rating (背靠背): the unit never learns who rated.
    back_to_back: ClassVar[bool] = False
    # Replies are reviewed before they reach the one who asked (Act.REVIEW); only a reply
    # sent can then be rated.
    reviews_replies: ClassVar[bool] = False
    # The one who asked rates without an account (`by` None): the process's own page has
    # checked who they are (the opinion's tracking code and rating key).
    anonymous_rating: ClassVar[bool] = False
    # Replies carry files (stored by the process: `reply_files`, `reply_attach`).
    reply_attachments: ClassVar[bool] = False
    # Further axes of a rating beyond the result (`score`): {key: label} (suggestions: the
    # unit's attitude); each is given one of the given scores, kept in `Rating.aspects`.
    rating_aspects: ClassVar[dict[str, Any]] = {}
    unsatisfied_hint: ClassVar[Any] = gettext_lazy("请说明不满意的原因。")
    # Event verbs per act where they differ from the act's own name.
    verbs: ClassVar[dict[Act, str]] = {}
    error: ClassVar[type[HandlingError]] = HandlingError

    def auto_close_days(self, obj) -> int | None:
        """Working days after a reply reached the one who asked (sent, where replies are
        reviewed) before an unrated case closes by itself as 默认满意; None: never."""
        return None

    def awaiting_rating(self, today: datetime.date, calendar):
        """The ids of this process's cases whose reply, unrated, reached the one who asked
        at least `auto_close_days` working days before `today` (each is checked again,
        locked, before it is closed)."""
        return Case.objects.none().values_list("pk", flat=True)

    def daily(self, today: datetime.date) -> int:
        """The process's own daily check, run by handling's daily command and job after the
        deadline passings (suggestions: overdue commitments): record what the day brings
        for its own rows, each once (safe to run twice); how many it recorded."""
        return 0

    def extension_limit(self, obj, assignment) -> int | None:
        """The most an extension of `assignment` may now ask, in its rule's unit, where the
        process bounds it below handling's own bounds (None: handling's bounds only)."""
        return None

    def verb(self, act: Act) -> str:
        return self.verbs.get(act, act.value)

    def period_key(self, rule: str) -> str:
        return "months" if rule == Rule.MONTHS else "working_days"

    def lock(self, case: Case):
        """The case row of `case`, locked until the transaction ends."""
        return self.model.objects.select_for_update().get(case=case)

    def state_of(self, obj) -> str:
        return getattr(obj, "status", "") or getattr(obj, "state", "")

    def title_of(self, obj) -> str:
        return str(obj)

    def may(self, user, act: Act, obj, assignment) -> bool:
        """Whether `user` may perform `act` (permission only; state is `can`)."""
        raise NotImplementedError

    def can(self, act: Act, obj, assignment) -> bool:
        """Whether the case's own state allows `act`."""
        return True

    def moved(self, obj, act: Act, assignment, **details) -> dict | None:
        """What `act` does to the case's own state (save it here); what it returns is added
        to the act's event data."""
        return None

    def event_data(self, act: Act, data: dict) -> dict:
        """The act's event data as the process's timeline says it (by default as is)."""
        return data

    def after(self, act: Act, obj, assignment, **details) -> None:
        """What follows once the act's event is written (notifications go out after the
        commit). By default the unit hears of a rating of its reply."""
        if act in (Act.RATE, Act.RATE_RECORD, Act.RATE_DEFAULT) and assignment is not None:
            from zhitong.handling.services import notify_rated

            notify_rated(self, obj, assignment, details["rating"])

    def refusal(self, act: Act, obj) -> HandlingError:
        """The error when the case's own state does not allow `act`."""
        from django.utils.translation import gettext as _

        display = getattr(obj, "get_status_display", None) or getattr(
            obj, "get_state_display", None
        )
        return self.error(
            "invalid_transition",
            _("该事项当前状态为“%(state)s”，不能进行此操作。")
            % {"state": display() if display else self.state_of(obj)},
        )

    def reply_files(self, files) -> list:
        """The reply's files checked before anything is written (raise to refuse)."""
        from django.utils.translation import gettext as _

        if files:
            raise self.error("no_files", _("这类事项的答复不收附件。"))
        return []

    def reply_attach(self, reply, checked: list, keep) -> list[int]:
        """Store the checked files on the reply (`keep(file)` removes them if the act
        fails); their ids."""
        return []

    def record(self, obj, *, by, verb: str, from_state: str, note: str, data: dict) -> None:
        """Write the one event of an act on the case's timeline."""
        from zhitong.core.events import event_record

        event_record(
            actor=by,
            subject=obj,
            verb=verb,
            from_state=from_state,
            to_state=self.state_of(obj),
            note=note,
            data=data,
            district_code=obj.district.code if hasattr(obj, "district") else "",
        )

    def url(self, obj) -> str:
        return ""

    def staff_recipients(self, obj):
        """The staff to tell: a list of users, or a function of the notifications API."""
        return []

    def extension_watchers(self, obj) -> list:
        """Who else hears of an extension decision (suggestions: the deputy)."""
        return []

    def passing_text(self, obj, assignment) -> str:
        from django.utils.translation import gettext as _

        return _("交办事项已超过办理期限（%(due)s）：%(title)s") % {
            "due": assignment.due_date.isoformat() if assignment.due_date else "",
            "title": self.title_of(obj),
        }


_PROCESSES: dict[str, Process] = {}


def register(process: Process) -> Process:
    """Register a process's adapter (in its AppConfig.ready); registering again replaces."""
    if not process.name:
        raise ValueError("a process needs a name")
    _PROCESSES[process.name] = process
    return process


def unregister(name: str) -> None:
    _PROCESSES.pop(name, None)


def process_for(name: str) -> Process:
    try:
        return _PROCESSES[name]
    except KeyError:
        raise LookupError(f"no handling process registered as {name!r}") from None


def processes() -> dict[str, Process]:
    return dict(_PROCESSES)
