"""Accounts for the people on the rosters (全进网): made in bulk, first sign-in by invitation.

Every deputy on the imported roster, and each handling unit's contact person on the unit
roster, gets an account with the right role and scope, with no usable password: a
one-time invitation (accounts.invitations) goes by SMS to their mobile number, or by
e-mail, and its link lets them set their own. Liaisons are accounts already (a
station's liaisons are accounts); those who have never signed in are invited the same
way. Staff see who has not signed in yet and send the invitation again, which withdraws
the earlier one.

Usernames: a deputy's is their public code in lower case (d7k3qx9m: unique, never
reused, easy to read out on the phone); a unit handler's is "unit" and the unit's id.
"""

import re
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _

from zhitong.accounts.invitations import invitation_days, invitation_issue
from zhitong.accounts.models import Role, User
from zhitong.accounts.rules import can_invite
from zhitong.accounts.selectors import roster_accounts_in_scope
from zhitong.accounts.verbs import AccountVerb
from zhitong.core.events import event_record
from zhitong.core.scoping import is_unrestricted, region_in_scope, scope_region_path
from zhitong.deputies.models import Deputy
from zhitong.notifications.models import Channel
from zhitong.notifications.services import absolute_url, message_send
from zhitong.units.models import HandlingUnit

MOBILE = re.compile(r"1[3-9]\d{9}")


# --- reads ------------------------------------------------------------------------------


def _path(user) -> str | None:
    return "" if is_unrestricted(user) else scope_region_path(user)


def deputies_without_account(user):
    """The deputies of the user's districts who have no account yet."""
    path = _path(user) if can_invite(user) else None
    if path is None:
        return Deputy.objects.none()
    return (
        Deputy.objects.filter(user__isnull=True, district__path__startswith=path)
        .select_related("district")
        .order_by("district__path", "name", "pk")
    )


def units_without_account(user):
    """Handling units of the user's region with a contact person on the roster and no
    account yet."""
    path = _path(user) if can_invite(user) else None
    if path is None:
        return HandlingUnit.objects.none()
    return (
        HandlingUnit.objects.filter(region__path__startswith=path, is_active=True)
        .exclude(contact_person="")
        .annotate(n_accounts=Count("accounts"))
        .filter(n_accounts=0)
        .order_by("region__path", "name")
    )


def not_signed_in(user, *, role: str = "", after: int = 0, size: int = 50):
    """The roster accounts in scope that have never signed in, keyset-paged on id, with
    the time of their last invitation. Returns (rows, next_after or None)."""
    accounts = roster_accounts_in_scope(user).filter(last_login__isnull=True, is_active=True)
    if role:
        accounts = accounts.filter(role=role)
    rows = list(
        accounts.filter(pk__gt=after)
        .annotate(last_invited=Max("invitations__created_at"))
        .order_by("pk")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more else None)


# --- acts -------------------------------------------------------------------------------


def _free_username(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}-{n}"
    taken.add(name)
    return name


def _address(user: User) -> tuple[str, str]:
    """Where an invitation goes: (channel, address), SMS to a mobile first; ("", "") if none."""
    phone = re.sub(r"[\s\-]", "", user.phone or "").removeprefix("+86")
    if MOBILE.fullmatch(phone):
        return Channel.SMS, phone
    if user.email:
        return Channel.EMAIL, user.email
    return "", ""


def _district_code(user: User) -> str:
    deputy = getattr(user, "deputy", None)
    if deputy is not None:
        return deputy.district.district_code
    if user.unit_id:
        return user.unit.region.district_code
    return ""


@dataclass
class Created:
    accounts: list[User] = field(default_factory=list)
    invited: list[User] = field(default_factory=list)
    # Accounts made, but with neither a mobile number nor an e-mail address to invite.
    unreachable: list[User] = field(default_factory=list)


def roster_accounts_create(*, by, deputies=(), units=()) -> Created:
    """Accounts for `deputies` and the contact persons of `units` that have none, each
    invited at once where a mobile number or e-mail address is known.

    Refuses (PermissionDenied) anyone outside `by`'s scope; skips who has an account."""
    if not can_invite(by):
        raise PermissionDenied(_("只有系统管理员和常委会工作人员可以开通账号。"))
    deputies, units = list(deputies), list(units)
    for place in [d.district for d in deputies] + [u.region for u in units]:
        if not region_in_scope(by, place):
            raise PermissionDenied(_("所选的人不在你的工作范围内。"))
    result = Created()
    with transaction.atomic():
        taken = set(
            User.objects.filter(
                username__in=[d.public_code.lower() for d in deputies]
                + [f"unit{u.pk}" for u in units]
            ).values_list("username", flat=True)
        )
        for deputy in Deputy.objects.select_for_update().filter(
            pk__in=[d.pk for d in deputies], user__isnull=True
        ):
            user = User(
                username=_free_username(deputy.public_code.lower(), taken),
                role=Role.DEPUTY,
                display_name=deputy.name,
                phone=deputy.mobile,
            )
            user.set_unusable_password()
            user.save()
            deputy.user = user
            deputy.save(update_fields=["user"])
            _record_created(user, by, {"deputy": deputy.pk}, deputy.district.district_code)
            result.accounts.append(user)
        for unit in HandlingUnit.objects.select_for_update().filter(pk__in=[u.pk for u in units]):
            if unit.accounts.exists() or not unit.contact_person:
                continue
            user = User(
                username=_free_username(f"unit{unit.pk}", taken),
                role=Role.UNIT,
                unit=unit,
                display_name=unit.contact_person,
                phone=unit.contact_phone,
            )
            user.set_unusable_password()
            user.save()
            _record_created(user, by, {"unit": unit.pk}, unit.region.district_code)
            result.accounts.append(user)
        for user in result.accounts:
            if _invite(user, by=by):
                result.invited.append(user)
            else:
                result.unreachable.append(user)
    return result


def _record_created(user: User, by, data: dict, district_code: str) -> None:
    event_record(
        actor=by,
        subject=user,
        verb=AccountVerb.ACCOUNT_CREATED,
        to_state=user.role,
        note=_("按名册开通账号 %(username)s") % {"username": user.username},
        data=data,
        district_code=district_code,
    )


def invitation_send(*, user: User, by) -> bool:
    """Send `user` a new invitation (withdrawing the earlier one). False when there is no
    mobile number or e-mail address to send it to."""
    if not can_invite(by, user):
        raise PermissionDenied(_("你不能给这个账号发送邀请。"))
    with transaction.atomic():
        return _invite(user, by=by)


def _invite(user: User, *, by) -> bool:
    channel, to = _address(user)
    if not channel:
        return False
    issued = invitation_issue(
        user=user, by=by, channel=channel, to=to, district_code=_district_code(user)
    )
    # The token lives only in this closure and the message; the stored copy is redacted.
    transaction.on_commit(partial(_send, user, issued.token, channel, to))
    return True


def _send(user: User, token: str, channel: str, to: str) -> None:
    link = absolute_url(reverse("accounts:invitation", args=[token]))
    values = {
        "name": user.get_full_name(),
        "username": user.username,
        "days": invitation_days(),
        "link": link,
    }
    body = (
        _(
            "%(name)s，您好：区人大代表工作平台已为您开通账号，用户名 %(username)s。"
            "请在 %(days)d 天内打开链接设置您自己的密码（链接只能用一次）：%(link)s"
        )
        % values
    )
    message_send(
        channel=channel,
        to=to,
        subject=_("开通工作平台账号：请设置密码"),
        body=body,
        related=user,
        user=user,
        secrets=[token],
    )


def everyone_without_account(user) -> tuple[list, list]:
    """All deputies and units in scope without an account (the "all" of the page)."""
    return list(deputies_without_account(user)), list(units_without_account(user))
