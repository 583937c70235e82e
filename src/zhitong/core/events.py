"""Writing events: the one function services call to record a state change."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from zhitong.core.models import Event


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
) -> Event:
    """Append one event for `subject`; must run inside the transaction that made the change."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must be called inside transaction.atomic")
    actor_name = ""
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


def events_for(subject):
    """The timeline of one object, oldest first, with actors loaded."""
    return Event.objects.for_object(subject).select_related("actor").order_by("occurred_at", "id")
