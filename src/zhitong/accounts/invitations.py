"""First sign-in by invitation (首次登录邀请) and unlocking a locked account (解除锁定).

An invitation carries a secret token of 256 random bits (`secrets.token_urlsafe`); only
its SHA-256 hash is stored, so the database (and the stored copy of the message, where
notifications redacts it) cannot be used to sign in. A token is used once, expires after
INVITATION_DAYS days, and is withdrawn when a new invitation goes to the same account.
Sending the message is the business of the app that has the rosters (imports.people),
which sits above notifications; this module only makes, checks and accepts invitations.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.accounts.models import Invitation, User
from zhitong.accounts.rules import can_unlock
from zhitong.accounts.verbs import AccountVerb
from zhitong.core.events import event_record
from zhitong.core.masking import mask_contact

DEFAULT_INVITATION_DAYS = 7
# Tokens are URL-safe base64 of 32 bytes (43 characters); anything else is not looked up.
TOKEN_MAX = 64


def invitation_days() -> int:
    return int(getattr(settings, "INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    # The secret, for the one message that carries it; never stored.
    token: str


def invitation_issue(*, user: User, by, channel: str, to: str, district_code: str = "") -> Issued:
    """A new invitation for `user` (the caller has checked `by` may invite them), withdrawing
    any earlier one still open. Runs in the caller's transaction, with its event."""
    now = timezone.now()
    User.objects.select_for_update().filter(pk=user.pk).exists()
    withdrawn = Invitation.objects.open(now).filter(user=user).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=token_hash(token),
        sent_by=by,
        channel=channel,
        sent_to=mask_contact(to),
        expires_at=now + timedelta(days=invitation_days()),
    )
    event_record(
        actor=by,
        subject=user,
        verb=AccountVerb.INVITATION_SENT,
        note=_("邀请已发往 %(to)s，%(days)d 天内有效")
        % {"to": invitation.sent_to, "days": invitation_days()},
        data={"invitation": invitation.pk, "channel": channel, "withdrawn": withdrawn},
        district_code=district_code,
    )
    return Issued(invitation=invitation, token=token)


VALID, USED, EXPIRED, WITHDRAWN, UNKNOWN = "valid", "used", "expired", "withdrawn", "unknown"


def _state(invitation: Invitation, now) -> str:
    if not invitation.user.is_active:
        return UNKNOWN
    if invitation.used_at is not None:
        return USED
    if invitation.revoked_at is not None:
        return WITHDRAWN
    if invitation.expires_at <= now:
        return EXPIRED
    return VALID


def invitation_lookup(token: str) -> tuple[Invitation | None, str]:
    """The invitation of `token` and its state: valid, used, expired, withdrawn or unknown."""
    if not token or len(token) > TOKEN_MAX:
        return None, UNKNOWN
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    )
    if invitation is None:
        return None, UNKNOWN
    return invitation, _state(invitation, timezone.now())


class InvitationRefused(Exception):
    """The invitation can no longer be used; `state` says why."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited account's password once and use up the invitation.

    The password has been validated by the form (Django's SetPasswordForm). Raises
    InvitationRefused when the token is unknown, used, withdrawn or expired, checked
    again under a row lock so that two requests cannot both use it."""
    with transaction.atomic():
        invitation, state = invitation_lookup(token)
        if invitation is None:
            raise InvitationRefused(state)
        invitation = (
            Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
        )
        state = _state(invitation, timezone.now())
        if state != VALID:
            raise InvitationRefused(state)
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        # Other open invitations of the account are spent with it.
        Invitation.objects.open().filter(user=user).update(revoked_at=invitation.used_at)
        event_record(
            actor=user,
            subject=user,
            verb=AccountVerb.INVITATION_ACCEPTED,
            data={"invitation": invitation.pk},
        )
    # A new password lifts a lockout, as a password reset does.
    axes_reset(username=user.get_username())
    return user


def account_unlock(*, user: User, by) -> int:
    """Clear the failed sign-ins that lock `user` (django-axes), recorded on their timeline.

    Only the account's own counts are cleared: an address locked for trying many
    accounts stays locked. Returns the number of attempt records removed."""
    if not can_unlock(by, user):
        raise PermissionDenied(_("你没有解除这个账号锁定的权限。"))
    with transaction.atomic():
        removed = axes_reset(username=user.get_username())
        event_record(
            actor=by,
            subject=user,
            verb=AccountVerb.ACCOUNT_UNLOCKED,
            note=_("清除了 %(count)d 条登录失败记录") % {"count": removed},
            data={"removed": removed},
        )
    return removed
