"""Notification services: the API other apps call to tell people things, and the centre's actions.

Other apps call `notify`, `message_send`, `recipients_for_unit` and
`recipients_for_region`, normally from a `transaction.on_commit` callback so nobody is
told about a change that was rolled back. `message_send` records the message and queues
its delivery for the task worker, which retries it. None of them raises because a message
could not be delivered: a failed delivery is a `Message` with status "failed" and its error.
"""

import datetime
import logging
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from zhitong.accounts.models import REGION_ROLES, NotifyMode, Role
from zhitong.core.events import event_record
from zhitong.core.jobs import PermanentError, job_start
from zhitong.core.masking import mask_contact, scrub
from zhitong.notifications.composers import composer as get_composer
from zhitong.notifications.kinds import EventKind, all_kinds, kinds_for
from zhitong.notifications.kinds import kind as get_kind
from zhitong.notifications.models import (
    Channel,
    Delivery,
    DigestMarker,
    Message,
    MessageStatus,
    Notification,
    Preference,
)
from zhitong.notifications.senders import sender_for
from zhitong.notifications.verbs import NotificationVerb

logger = logging.getLogger("zhitong.notifications")

# A digest lists at most this many notifications and points to the centre for the rest.
DIGEST_MAX_ITEMS = 50
DIGEST_CHUNK = 500
SUBJECT_MAX = 200
ERROR_MAX = 1000
ADDRESS_MAX = 254
# The job kind of a message's delivery, and how hard the worker tries (notifications/jobs.py).
DELIVER_JOB = "notifications.deliver"
DELIVERY_ATTEMPTS = 5


# --- who to tell -----------------------------------------------------------------------


def recipients_for_unit(unit):
    """The active accounts of a handling unit (承办单位), as a queryset."""
    return get_user_model().objects.filter(is_active=True, role=Role.UNIT, unit=unit)


def recipients_for_region(region):
    """Active region-scoped accounts whose scope contains `region`, as a queryset.

    That is staff, leaders and admins of `region` or any region above it, and the street
    work committee (街道人大工委) of the street when `region` is that street or lies in it.
    """
    codes = [code for code in region.path.split("/") if code]
    # The paths of the region and each of its ancestors: "420000/", "420000/420100/", ...
    paths = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return get_user_model().objects.filter(
        is_active=True, role__in=REGION_ROLES, region__path__in=paths
    )


# --- outbound messages ------------------------------------------------------------------


def _generic(obj) -> tuple[ContentType | None, str]:
    if obj is None:
        return None, ""
    return ContentType.objects.get_for_model(obj), str(obj.pk)


def _address_problem(channel: str, to: str) -> str:
    if not to:
        return "no address"
    if len(to) > ADDRESS_MAX:
        return "address too long"
    if channel == Channel.EMAIL:
        try:
            validate_email(to)
        except ValidationError:
            return "not a valid e-mail address"
    elif not to.lstrip("+").replace("-", "").replace(" ", "").isdigit():
        return "not a valid phone number"
    return ""


REDACTED = "••••"


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def message_send(
    *,
    channel: str,
    to: str,
    body: str = "",
    subject: str = "",
    related=None,
    user=None,
    composer: str = "",
    secrets: Iterable[str] = (),
) -> Message:
    """Record one SMS or e-mail and queue its delivery through the configured sender; never
    raises for a delivery failure (the Message says "queued", "sent" or "failed" and why).

    The task worker delivers it (a job of kind DELIVER_JOB, tried up to DELIVERY_ATTEMPTS
    times, with growing pauses); with the immediate backend that happens before this
    returns, when no transaction is open. Call it after the change it reports has been
    committed: the delivery is queued when the enclosing transaction commits.
    `related` is the object the message is about (e.g. the opinion); `user` the account
    it went to, if any (citizens usually have none).

    Secrets (a tracking code, a rating key) are never stored: with `composer`, the named
    composer (composers.py) writes subject and body from `related`, the record keeps "••••"
    in place of its secrets, and the worker has the composer write them again. `secrets`
    without a composer (a password reset link, which only the request can write) is sent
    here and now, once, by this process: the record keeps "••••" in their place.
    """
    language = ""
    if composer:
        language = translation.get_language() or ""
        composed = get_composer(composer)(related)
        subject, body, secrets = composed.subject, composed.body, composed.secrets
    secrets = [str(secret) for secret in secrets if secret]
    # Headers cannot carry line breaks; a long title is cut, never refused.
    subject = " ".join(str(subject).split())
    body = str(body)
    channel = Channel(channel)
    to = (to or "").strip()
    related_type, related_id = _generic(related)
    message = Message.objects.create(
        channel=channel,
        # Cut only to fit the column; an address that long is refused below.
        to=to[:ADDRESS_MAX],
        subject=Truncator(redact(subject, secrets)).chars(SUBJECT_MAX),
        body=redact(body, secrets),
        related_type=related_type,
        related_id=related_id,
        user=user,
        composer=composer,
        language=language,
    )
    problem = _address_problem(channel, to)
    if problem:
        # No attempt can cure a missing or malformed address: failed at once, no job.
        _record_failure(message, ValueError(problem), final=True)
        return message
    if secrets and not composer:
        _deliver(message, subject=Truncator(subject).chars(SUBJECT_MAX), body=body, final=True)
        return message
    job_start(
        kind=DELIVER_JOB,
        label=_("发送%(channel)s #%(id)s")
        % {"channel": message.get_channel_display(), "id": message.pk},
        params={"message": message.pk},
    )
    # With the immediate backend (and no open transaction) it went out already. In a
    # transaction the delivery waits for the commit: the row is as written.
    if not transaction.get_connection().in_atomic_block:
        message.refresh_from_db()
    return message


class DeliveryFailed(Exception):
    """One delivery attempt failed; the text names the error with the address masked."""


class DeliveryImpossible(DeliveryFailed, PermanentError):
    """No attempt can deliver this message (its subject is gone, its composer unknown)."""


def message_deliver(*, message_id: int, attempt: int, final: bool) -> Message:
    """Attempt `attempt` at delivering a recorded message (the worker's DELIVER_JOB);
    raises DeliveryFailed when it did not go out, after recording why on the message
    ("failed" when `final`, else still "queued" for the next attempt)."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        raise DeliveryImpossible(f"message #{message_id} no longer exists")
    if message.status == MessageStatus.SENT:
        return message  # a second delivery of the same task
    message.attempts = attempt
    subject, body = message.subject, message.body
    if message.composer:
        try:
            with translation.override(message.language or None):
                composed = get_composer(message.composer)(_related(message))
        except Exception as exc:  # noqa: BLE001 - recorded on the message, then raised
            _record_failure(message, exc, final=True)
            raise DeliveryImpossible(message.error) from None
        subject, body = (
            Truncator(" ".join(composed.subject.split())).chars(SUBJECT_MAX),
            composed.body,
        )
    _deliver(message, subject=subject, body=body, final=final)
    if message.status != MessageStatus.SENT:
        raise DeliveryFailed(message.error)
    return message


def _related(message: Message):
    if message.related_type_id is None:
        raise LookupError(f"message #{message.pk} has a composer but no subject")
    related = message.related
    if related is None:
        raise LookupError(f"the subject of message #{message.pk} no longer exists")
    return related


def _deliver(message: Message, *, subject: str, body: str, final: bool) -> None:
    """Hand the whole text to the sender; the row (already written) keeps its own text."""
    try:
        sender = sender_for(message.channel)
        message.backend = sender.name
        outgoing = copy(message)
        outgoing.subject, outgoing.body = subject, body
        sender.send(outgoing)
    except Exception as exc:  # any sender failure is recorded, never raised into the caller
        _record_failure(message, exc, final=final)
        return
    message.status = MessageStatus.SENT
    message.sent_at = timezone.now()
    message.error = ""
    message.attempts = max(message.attempts, 1)
    message.save(update_fields=["status", "backend", "sent_at", "error", "attempts"])
    logger.debug(
        "%s message #%s to %s sent via %s",
        message.channel,
        message.pk,
        mask_contact(message.to),
        message.backend,
    )


def _record_failure(message: Message, exc: Exception, *, final: bool) -> None:
    # The error text may quote the address (SMTP replies do): keep only the mask.
    message.error = scrub(f"{type(exc).__name__}: {exc}", message.to)[:ERROR_MAX]
    message.attempts = max(message.attempts, 1)
    message.status = MessageStatus.FAILED if final else MessageStatus.QUEUED
    message.save(update_fields=["status", "backend", "error", "attempts"])
    logger.warning(
        "%s message #%s to %s failed via %s (attempt %s%s): %s",
        message.channel,
        message.pk,
        mask_contact(message.to),
        message.backend or "-",
        message.attempts,
        ", the last" if final else "",
        message.error,
    )


def absolute_url(url: str) -> str:
    """`url` as a link that works outside the site (in an e-mail or SMS)."""
    if url.startswith("/"):
        return settings.PUBLIC_BASE_URL + url
    return url


# --- in-app notifications ---------------------------------------------------------------


def _unique_active(recipients: Iterable) -> list:
    seen, users = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        users.append(user)
    return users


def notify(
    *,
    recipients: Iterable,
    verb: str,
    text: str,
    url: str = "",
    subject=None,
    task: bool = False,
) -> None:
    """Put a notification in each recipient's centre, and message those who want it at once.

    `recipients` is any iterable of users (duplicates and inactive accounts are skipped);
    `verb` a stable code ("opinion_referred"), `text` one Chinese sentence, `url` the page
    to look at, `subject` the object it is about. Users whose notify mode is immediate
    (即时通知) get an e-mail, or an SMS if they have only a phone; the messages go out
    after the enclosing transaction commits (at once when there is none).

    `task`: the recipients are told of one piece of work that any one of them does (a
    reply to review): it stays on their to-do lists until `tasks_done` with the same
    subject and verb, when one of them has done it.
    """
    users = _unique_active(recipients)
    if not users:
        return
    text = str(text)
    _centre(users, verb=verb, text=text, url=url, subject=subject, task=task)
    immediate = [
        user
        for user in users
        if user.notify_mode == NotifyMode.IMMEDIATE and (user.email or user.phone)
    ]
    if immediate:
        transaction.on_commit(
            partial(_send_immediate, immediate, text=text, url=url, related=subject),
            robust=True,
        )


def _centre(users: list, *, verb: str, text: str, url: str, subject, task: bool = False, items=()):
    subject_type, subject_id = _generic(subject)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            verb=verb,
            text=text,
            url=url,
            subject_type=subject_type,
            subject_id=subject_id,
            created_at=now,
            task=task,
            items=list(items),
        )
        for user in users
    )


def tasks_done(*, subject, verb: str, by) -> int:
    """The task of `verb` about `subject` is done (by `by`, None for the system): it leaves
    every holder's to-do list and unread count, and their centre says who did it
    ("已由某某处理"). Returns how many notifications it closed; none open is no error.

    Call it once the act that did the work has committed (handling.services.tasks_done
    queues it), so a refused or rolled-back act leaves the task open.
    """
    subject_type, subject_id = _generic(subject)
    now = timezone.now()
    return Notification.objects.filter(
        subject_type=subject_type,
        subject_id=subject_id,
        verb=verb,
        task=True,
        done_at__isnull=True,
    ).update(
        done_at=now,
        done_by=by,
        done_by_name=by.get_full_name() if by is not None else "",
        read_at=Coalesce("read_at", Value(now)),
    )


def _send_immediate(users: list, *, text: str, url: str, related) -> None:
    link = absolute_url(url) if url else ""
    settings_link = absolute_url(reverse("notifications:settings"))
    title = _("【直通】%(text)s") % {
        "text": Truncator(text.splitlines()[0] if text else "").chars(40)
    }
    for user in users:
        body: str
        if user.email:
            body = render_to_string(
                "notifications/email/immediate.txt",
                {"user": user, "text": text, "link": link, "settings_link": settings_link},
            )
            message_send(
                channel=Channel.EMAIL,
                to=user.email,
                subject=title,
                body=body,
                related=related,
                user=user,
            )
        else:
            body = _("【直通】%(text)s") % {"text": text}
            if link:
                body += " " + link
            message_send(channel=Channel.SMS, to=user.phone, body=body, related=related, user=user)


def notification_mark_read(*, notification: Notification, by) -> Notification:
    """Mark one of `by`'s own notifications read (no event: it changes nothing but the centre)."""
    if notification.recipient_id != by.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        # A filtered update, so a second click does not move the first reading time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, by) -> int:
    """Mark all of `by`'s unread notifications read; returns how many there were."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def user_notify_mode_set(*, user, mode: str, by):
    """Choose immediate messages (即时通知) or a daily digest (每日汇总) for `user`.

    Switching to the digest starts its window now: what came before was already sent
    at once, and the first digest must not repeat it.
    """
    if by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied
    mode = NotifyMode(mode)
    old = user.notify_mode
    if old == mode:
        return user
    user.notify_mode = mode
    user.save(update_fields=["notify_mode"])
    if mode == NotifyMode.DIGEST:
        DigestMarker.objects.update_or_create(user=user, defaults={"last_sent_at": timezone.now()})
    event_record(
        actor=by,
        subject=user,
        verb=NotificationVerb.NOTIFY_MODE_SET,
        from_state=old,
        to_state=mode,
    )
    return user


# --- kinds of events: at once, in the digest, or not at all ------------------------------


def deliveries(users: Iterable, the_kind: EventKind) -> dict[int, str]:
    """How each of `users` hears of `the_kind`: their choice, else their role's default
    (one query)."""
    users = list(users)
    chosen = dict(
        Preference.objects.filter(user__in=[user.pk for user in users], kind=the_kind.code)
        .exclude(mode="")
        .values_list("user_id", "mode")
    )
    return {
        user.pk: chosen.get(user.pk) or the_kind.default_for(user)
        for user in users
        if the_kind.offered_to(user)
    }


def delivery_of(user, the_kind: EventKind) -> str:
    return deliveries([user], the_kind).get(user.pk, Delivery.NONE)


def has_mobile(user) -> bool:
    return bool(user.phone) and not _address_problem(Channel.SMS, user.phone)


def notify_event(
    *,
    kind: str,
    recipients: Iterable,
    verb: str,
    text: str,
    url: str = "",
    subject=None,
    task: bool = False,
) -> list:
    """Tell those of `recipients` who hear of `kind` at once; the others hear of it in their
    digest (which reads the events again, in their scope) or not at all, as they chose.

    At once is a notification in the centre (a task when `task`, see `notify`); with
    "即时（站内通知，并发短信或邮件）" also an SMS to their mobile number, or an e-mail
    when they have none, sent after the enclosing transaction commits. Returns the users
    told at once.
    """
    the_kind = get_kind(kind)
    users = _unique_active(recipients)
    modes = deliveries(users, the_kind)
    at_once = [
        user
        for user in users
        if modes.get(user.pk) in (Delivery.IMMEDIATE, Delivery.IMMEDIATE_MESSAGE)
    ]
    if not at_once:
        return []
    text = str(text)
    _centre(at_once, verb=verb, text=text, url=url, subject=subject, task=task)
    messaged = [user for user in at_once if modes[user.pk] == Delivery.IMMEDIATE_MESSAGE]
    if messaged:
        transaction.on_commit(
            partial(_send_event_messages, messaged, text=text, url=url, related=subject),
            robust=True,
        )
    return at_once


def _send_event_messages(users: list, *, text: str, url: str, related) -> None:
    """An SMS to each user's mobile number; an e-mail to those without one."""
    link = absolute_url(url) if url else ""
    for user in users:
        if has_mobile(user):
            body = _("【直通】%(text)s") % {"text": text}
            if link:
                body += " " + link
            message_send(channel=Channel.SMS, to=user.phone, body=body, related=related, user=user)
        elif user.email:
            _send_immediate([user], text=text, url=url, related=related)


@transaction.atomic
def preferences_set(*, user, choices: dict, by) -> int:
    """Choose, for each kind of event offered to `user`, how they hear of it.

    `choices` maps a kind's code to a Delivery value. Refused as a whole (ValidationError,
    keyed by kind, with a Chinese message; nothing is written) for an unknown mode, or
    for SMS/e-mail when the account has neither a mobile number nor an e-mail address;
    PermissionDenied for another's preferences or a kind not offered to the user's role.
    Switching to the digest starts its window now: what came before was told at once or
    not wanted. One event on the account's timeline names what changed; returns how many.
    """
    if by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied
    offered = {one.code: one for one in kinds_for(user)}
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for code, mode in choices.items():
        if code not in offered:
            raise PermissionDenied
        if mode not in Delivery.values:
            errors[code] = _("请选择一种接收方式。")
        elif mode == Delivery.IMMEDIATE_MESSAGE and not (has_mobile(user) or user.email):
            errors[code] = _(
                "您的账号没有登记手机号或电子邮箱，收不到短信或邮件，请选择其他接收方式。"
            )
        else:
            cleaned[code] = mode
    if errors:
        raise ValidationError(errors)
    rows = {
        row.kind: row
        for row in Preference.objects.select_for_update().filter(user=user, kind__in=cleaned)
    }
    now = timezone.now()
    changes = {}
    for code, mode in cleaned.items():
        row = rows.get(code)
        old = (row.mode if row is not None else "") or offered[code].default_for(user)
        if old == mode:
            continue
        changes[code] = [old, mode]
        if row is None:
            row = Preference(user=user, kind=code)
        row.mode = mode
        if mode == Delivery.DIGEST:
            row.digest_sent_at = now
        row.save()
    if changes:
        event_record(
            actor=by,
            subject=user,
            verb=NotificationVerb.PREFERENCES_SET,
            data={"changes": changes},
        )
    return len(changes)


# --- the daily digest -------------------------------------------------------------------

DIGEST_VERB = "digest"
# The first digest of a kind covers this much before the run.
FIRST_DIGEST_WINDOW = datetime.timedelta(days=1)


def _kind_digest_q(the_kind: EventKind) -> Q:
    """Accounts whose delivery of `the_kind` is the digest: chosen, or their role's default."""
    explicit = Preference.objects.filter(user=OuterRef("pk"), kind=the_kind.code).exclude(mode="")
    by_default = [role for role, mode in the_kind.defaults.items() if mode == Delivery.DIGEST]
    return Exists(explicit.filter(mode=Delivery.DIGEST)) | (
        Q(role__in=by_default) & ~Exists(explicit)
    )


def digest_candidates(cutoff):
    """Accounts that may have a digest to get: those with an e-mail, on the digest for all
    notifications, with unread ones new since their last digest (created after it and not
    after `cutoff`); and those on the digest for a kind of event (whether anything of it
    is new is read per account, in its scope, by digest_send)."""
    new_unread = (
        Notification.objects.filter(
            read_at__isnull=True,
            created_at__lte=cutoff,
        )
        .exclude(verb=DIGEST_VERB)
        .filter(
            # No marker, a marker never used, or created after the last digest.
            Q(recipient__notification_digest__last_sent_at__isnull=True)
            | Q(created_at__gt=F("recipient__notification_digest__last_sent_at"))
        )
    )
    wanted = (
        Q(notify_mode=NotifyMode.DIGEST)
        & ~Q(email="")
        & Q(pk__in=new_unread.values("recipient_id"))
    )
    for the_kind in all_kinds():
        wanted |= _kind_digest_q(the_kind)
    return get_user_model().objects.filter(is_active=True).filter(wanted).order_by("pk")


@dataclass(frozen=True)
class DigestSection:
    label: str
    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _kind_sections(user, cutoff) -> list[DigestSection]:
    """The new events of each kind `user` takes in the digest, in their scope, since the
    last digest of it; each kind's window is moved to `cutoff` (call under the marker's lock)."""
    sections = []
    for the_kind in kinds_for(user):
        if delivery_of(user, the_kind) != Delivery.DIGEST:
            continue
        row, _created = Preference.objects.get_or_create(user=user, kind=the_kind.code)
        since = row.digest_sent_at or cutoff - FIRST_DIGEST_WINDOW
        if since >= cutoff:
            continue
        items, total = the_kind.digest(user, since, cutoff, DIGEST_MAX_ITEMS)
        row.digest_sent_at = cutoff
        row.save(update_fields=["digest_sent_at"])
        if total:
            sections.append(DigestSection(str(the_kind.label), list(items), total))
    return sections


@dataclass(frozen=True)
class Digest:
    """What one digest came to: the notification in the centre (the new events of the kinds
    on the digest) and the e-mail, either of which may be None."""

    notification: Notification | None
    message: Message | None


def digest_send(*, user, cutoff) -> Digest | None:
    """Send `user` their daily digest: one message listing what is new since the last one.

    The new events of each kind of event on the digest, in the user's scope (each with its
    link), go into one notification in the centre; the unread notifications new since the
    last digest are listed too when the user gets all notifications by digest (每日汇总).
    Those with an e-mail address get it all in one e-mail. Returns None when there is
    nothing new.

    Each kind's window moves to `cutoff` as the notification is written. The marker of the
    unread notifications moves once the e-mail is queued (the worker retries its delivery);
    only an e-mail refused at once (a bad address) leaves it, so that part is written
    again, with anything newer, next time.
    """
    DigestMarker.objects.get_or_create(user=user)
    with transaction.atomic():
        # The row lock makes two overlapping runs send one digest, not two.
        marker = DigestMarker.objects.select_for_update().get(user=user)
        sections = _kind_sections(user, cutoff)
        shown: list[Notification] = []
        total = 0
        if user.notify_mode == NotifyMode.DIGEST and user.email:
            items = Notification.objects.filter(
                recipient=user, read_at__isnull=True, created_at__lte=cutoff
            ).exclude(verb=DIGEST_VERB)
            if marker.last_sent_at is not None:
                items = items.filter(created_at__gt=marker.last_sent_at)
            items = items.order_by("-created_at", "-id")
            shown = list(items[:DIGEST_MAX_ITEMS])
            total = len(shown) if len(shown) < DIGEST_MAX_ITEMS else items.count()
        if not shown and not sections:
            return None
        notification = None
        if sections:
            notification = Notification.objects.create(
                recipient=user,
                verb=DIGEST_VERB,
                text=_("每日汇总：%(parts)s")
                % {
                    "parts": _("，").join(
                        _("%(label)s %(count)s 条") % {"label": s.label, "count": s.total}
                        for s in sections
                    )
                },
                created_at=cutoff,
                items=[
                    {"text": item.text, "url": item.url}
                    for section in sections
                    for item in section.items
                ],
            )
        if not user.email:
            return Digest(notification, None)
        body = render_to_string(
            "notifications/email/digest.txt",
            {
                "user": user,
                "sections": [
                    (
                        section,
                        [
                            (item.text, absolute_url(item.url) if item.url else "")
                            for item in section.items
                        ],
                    )
                    for section in sections
                ],
                "items": [(n, absolute_url(n.url) if n.url else "") for n in shown],
                "total": total,
                "more": total - len(shown),
                "centre_link": absolute_url(reverse("notifications:centre")),
                "settings_link": absolute_url(reverse("notifications:settings")),
            },
        )
        if shown and sections:
            subject = _("【直通】每日汇总：%(count)s 条新通知及新事项") % {"count": total}
        elif shown:
            subject = _("【直通】每日消息汇总：%(count)s 条新通知") % {"count": total}
        else:
            subject = _("【直通】每日汇总：%(parts)s") % {
                "parts": _("，").join(
                    _("%(label)s %(count)s 条") % {"label": s.label, "count": s.total}
                    for s in sections
                )
            }
        message = message_send(
            channel=Channel.EMAIL,
            to=user.email,
            subject=subject,
            body=body,
            user=user,
        )
        if shown and message.status != MessageStatus.FAILED:
            marker.last_sent_at = cutoff
            marker.save(update_fields=["last_sent_at"])
        return Digest(notification, message)


def digest_send_all(*, now=None) -> tuple[int, int]:
    """The daily task: one digest to each account with something new.

    Returns (sent, failed) counts: a digest put in the centre or queued for the worker
    counts as sent; one whose e-mail's first attempt failed (the worker tries again) or
    that was refused counts as failed.
    """
    cutoff = now or timezone.now()
    # The ids first: the loop writes between reads, which an open cursor would not like.
    pks = list(digest_candidates(cutoff).values_list("pk", flat=True))
    sent = failed = 0
    for start in range(0, len(pks), DIGEST_CHUNK):
        users = get_user_model().objects.in_bulk(pks[start : start + DIGEST_CHUNK])
        for user in users.values():
            digest = digest_send(user=user, cutoff=cutoff)
            if digest is None:
                continue
            message = digest.message
            if message is None:
                sent += 1
                continue
            # Committed now: with the immediate backend its first attempt has been made.
            message.refresh_from_db()
            if message.status == MessageStatus.FAILED or message.error:
                failed += 1
            else:
                sent += 1
    return sent, failed
