"""Reads of the notification centre, always of the signed-in user's own notifications."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from zhitong.notifications.models import Notification


def access_notification(user, pk) -> Notification:
    """One of `user`'s notifications; "not found" for anyone else's, as for a missing one."""
    return get_object_or_404(Notification, pk=pk, recipient=user)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def open_tasks(user):
    """`user`'s to-do list: the tasks told to them that nobody has done yet, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, task=True, done_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def centre_counts(user) -> tuple[int, int]:
    """(unread, open tasks) of `user`'s centre, in one query."""
    counts = Notification.objects.filter(recipient=user).aggregate(
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        tasks=Count("pk", filter=Q(task=True, done_at__isnull=True)),
    )
    return counts["unread"], counts["tasks"]


def notification_page(
    user,
    *,
    unread_only: bool = False,
    tasks_only: bool = False,
    before: int | None = None,
    size: int,
):
    """A page of `user`'s notifications, newest first, after the cursor `before` (an id).

    `tasks_only`: the to-do list (open tasks). Keyset pagination: the page after a cursor
    costs the same however deep it is; one query a page whatever it holds (who did a
    task is kept by name on the row).
    Returns (rows, next_cursor); next_cursor is None on the last page. A cursor that is
    not one of the user's notifications is ignored (the first page is shown).
    """
    own = Notification.objects.filter(recipient=user)
    rows = own.filter(read_at__isnull=True) if unread_only else own
    if tasks_only:
        rows = rows.filter(task=True, done_at__isnull=True)
    if before is not None:
        # Looked up among all of the user's rows: it may have been read since.
        cursor = own.filter(pk=before).values("created_at", "pk").first()
        if cursor is not None:
            rows = rows.filter(
                Q(created_at__lt=cursor["created_at"])
                | Q(created_at=cursor["created_at"], pk__lt=cursor["pk"])
            )
    page = list(rows.order_by("-created_at", "-id")[: size + 1])
    if len(page) > size:
        return page[:size], page[size - 1].pk
    return page, None


def message_sent_about(obj) -> bool:
    """Whether a message about `obj` (e.g. an opinion's tracking code) went out, or is on
    its way (queued for the worker, perhaps waiting for a retry)."""
    from django.contrib.contenttypes.models import ContentType

    from zhitong.notifications.models import Message, MessageStatus

    return Message.objects.filter(
        related_type=ContentType.objects.get_for_model(obj),
        related_id=str(obj.pk),
        status__in=(MessageStatus.QUEUED, MessageStatus.SENT),
    ).exists()
