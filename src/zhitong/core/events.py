"""Writing events: the one function services call to record a state change."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from zhitong.core import vocabulary
from zhitong.core.models import Event


def _check_verb(verb: str) -> None:
    if not vocabulary.is_registered(verb):
        raise ValueError(
            f"event verb {verb!r} is not registered (zhitong.core.vocabulary.register)"
        )


def event_record(
    *,
    actor,
    subject,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
    district_code: str = "",
    actor_name: str = "",
) -> Event:
    """Append one event for `subject`; must run inside the transaction that made the change.
    `actor_name` names an actor that is not a person (the router), where `actor` is None."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must be called inside transaction.atomic")
    _check_verb(verb)
    if actor is not None:
        actor_name = actor.get_full_name() or actor.get_username()
    return Event.objects.create(
        actor=actor,
        actor_name=actor_name,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        district_code=district_code,
    )


@dataclass
class EventRow:
    """One event for events_record_bulk: what event_record takes, for many subjects."""

    subject: object
    verb: str
    actor: object = None
    from_state: str = ""
    to_state: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)
    district_code: str = ""
    # When it happened, where it is not now (imports, the demo's half-year).
    occurred_at: object = None


def events_record_bulk(rows: Iterable[EventRow], *, batch_size: int = 1000) -> int:
    """Append many events in a few INSERTs (imports, ledgers): the same rows event_record
    would write one by one. Must run inside the transaction that made the changes."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("events_record_bulk must be called inside transaction.atomic")
    types: dict[type, ContentType] = {}
    events = []
    for row in rows:
        _check_verb(row.verb)
        model = type(row.subject)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(row.subject)
        actor = row.actor
        event = Event(
            actor=actor,
            actor_name=(actor.get_full_name() or actor.get_username()) if actor else "",
            content_type=types[model],
            object_id=str(row.subject.pk),  # type: ignore[attr-defined]
            verb=row.verb,
            from_state=row.from_state,
            to_state=row.to_state,
            note=row.note,
            data=row.data,
            district_code=row.district_code,
        )
        if row.occurred_at is not None:
            event.occurred_at = row.occurred_at
        events.append(event)
    Event.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


def events_for(subject):
    """The timeline of one object, oldest first, with actors loaded."""
    return Event.objects.for_object(subject).select_related("actor").order_by("occurred_at", "id")


def _refuse_delete_with_timeline(sender, instance, **kwargs) -> None:
    from django.utils.translation import gettext as _

    from zhitong.core.db import event_deletes_allowed_now
    from zhitong.core.models import AppendOnlyError

    if not event_deletes_allowed_now() and Event.objects.for_object(instance).exists():
        raise AppendOnlyError(
            _("“%(object)s”有办理记录，不能删除：办理记录只能追加，不能删除。")
            % {"object": instance}
        )


def keep_timeline_of(model) -> None:
    """Refuse to delete a `model` row that has events: its timeline would be orphaned.

    Personal data is erased by blanking fields, never by deleting the case (the timeline
    says who did what to it, and stays).
    """
    from django.db.models.signals import pre_delete

    pre_delete.connect(
        _refuse_delete_with_timeline,
        sender=model,
        dispatch_uid=f"keep_timeline_of:{model._meta.label_lower}",
    )
