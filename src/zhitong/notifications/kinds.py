"""Kinds of events a user chooses how to hear of (新意见 ...): at once, in a daily digest,
or not at all.

A process registers each of its kinds at start-up (`register_kind`, in its
`AppConfig.ready`), naming the roles it is offered to with their default, and how to
read the events of the kind in a user's scope for the digest. The notifications app
knows no process: it keeps the choices (`Preference`), tells people at once
(`services.notify_event`) and writes the digest (`services.digest_send`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from zhitong.core.roles import Role
from zhitong.notifications.models import Delivery


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest, with the page to look at."""

    text: str
    url: str = ""


# (user, since, until, limit) -> (the first `limit` items, the total count)
DigestReader = Callable[[object, datetime.datetime, datetime.datetime, int], tuple[list, int]]


@dataclass(frozen=True)
class EventKind:
    code: str
    # What the preference page and the digest call it ("新意见").
    label: str
    # The roles it is offered to, each with its default delivery; others never hear of it.
    defaults: Mapping[str, str]
    # The events of the kind new in the user's scope in a window (since, until].
    digest: DigestReader
    # A sentence on the preference page saying what the kind covers.
    help_text: str = ""

    def default_for(self, user) -> str:
        return self.defaults.get(role_of(user), Delivery.NONE)

    def offered_to(self, user) -> bool:
        return role_of(user) in self.defaults


_KINDS: dict[str, EventKind] = {}


def role_of(user) -> str:
    # A superuser made with createsuperuser carries the citizen role; they run the site.
    return Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", "")


def register_kind(kind: EventKind) -> EventKind:
    for mode in kind.defaults.values():
        Delivery(mode)  # a default that is not a delivery mode is a programming error
    _KINDS[kind.code] = kind
    return kind


def kind(code: str) -> EventKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"no kind of event {code!r} is registered") from None


def all_kinds() -> list[EventKind]:
    return list(_KINDS.values())


def kinds_for(user) -> list[EventKind]:
    """The kinds `user` may choose for (those offered to their role), in registration order."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [one for one in _KINDS.values() if one.offered_to(user)]
