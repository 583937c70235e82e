"""Creating opinions (意见收集): the public form, a deputy's or liaison's record of a visit,
batch entry at an event, and offline ledgers imported from .xlsx.

Each way in ends in one opinion row per matter, in status "received", with a tracking
code, its district and street set, its words segmented for search, and one "received"
event written in the same transaction. A submitter who left a phone or e-mail gets the
tracking code by message after the commit.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.accounts.models import Role
from zhitong.accounts.rules import is_recording_staff
from zhitong.core.events import event_record
from zhitong.core.files import removed_on_error
from zhitong.core.scoping import is_unrestricted, region_in_scope
from zhitong.core.signals import rows_imported
from zhitong.deputies.models import Deputy
from zhitong.notifications.composers import Composed, message_composer
from zhitong.notifications.services import message_send
from zhitong.opinions import duplicates, news, ratelimit, routing
from zhitong.opinions.models import Attachment, Channel, IntakeSession, Opinion, Status
from zhitong.opinions.phones import normalize_mobile, normalize_phone  # noqa: F401 - used by the forms
from zhitong.opinions.search_text import opinion_search_text
from zhitong.opinions.services import OpinionError
from zhitong.opinions.tracking import new_code, rating_key
from zhitong.opinions.uploads import CleanPhoto, check_photos
from zhitong.opinions.verbs import OpinionVerb
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station, StationAssignment
from zhitong.units.models import Category

logger = logging.getLogger(__name__)

# Channels of the public form, chosen by the path the citizen came through.
PUBLIC_CHANNELS = frozenset({Channel.ONLINE, Channel.QR_STATION, Channel.QR_DEPUTY})
# Channels a deputy, liaison or staff member records by hand.
RECORD_CHANNELS = frozenset({Channel.STATION_VISIT, Channel.BOX, Channel.EVENT})
# Region roles that may record opinions in their scope (leaders and units do not).

SUBJECT_LIMIT = Opinion._meta.get_field("subject").max_length
CONTENT_LIMIT = 5000
ADDRESS_LIMIT = Opinion._meta.get_field("address").max_length
NAME_LIMIT = Opinion._meta.get_field("submitter_name").max_length
SESSION_TITLE_LIMIT = IntakeSession._meta.get_field("title").max_length
# Rows of one batch entry (one event); a larger event is entered in several batches.
MAX_SESSION_ROWS = 100
# Fresh tracking codes tried when the one drawn is taken (about 1 in 8e14 per opinion held).
CODE_ATTEMPTS = 5

# Characters that have no place in text a person typed (NUL breaks PostgreSQL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SubmissionThrottled(OpinionError):
    """Too many submissions from one address or phone in the current window."""

    def __init__(self, message, *, retry_after: int):
        super().__init__("throttled", message)
        self.retry_after = retry_after


class BatchInvalid(ValidationError):
    """A batch (event or ledger) with problems: nothing was written.

    `session_errors` maps a field of the event to its messages; `row_errors` maps the
    index of each bad row to its ValidationError (with a dict of field errors).
    """

    def __init__(self, *, session_errors: dict, row_errors: dict):
        count = sum(len(v) for v in session_errors.values()) + len(row_errors)
        super().__init__(
            _("有 %(count)d 处需要修改，没有保存任何意见。") % {"count": count}, code="batch"
        )
        self.session_errors = session_errors
        self.row_errors = row_errors


# --- who may record (分级录入) ------------------------------------------------------------


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is_recording_staff(user) -> bool:
    return is_recording_staff(user)


def can_record(user, *, station: Station | None = None, place: Region | None = None) -> bool:
    """May `user` record an opinion received at `station` (or, without one, about `place`)?

    Deputies record for the stations they sit at, liaisons for the stations they keep,
    staff, street committees and administrators for stations and places in their scope.
    The same conditions as `recording_stations`, asked of one object.
    """
    if not _active(user):
        return False
    if station is not None:
        return user.has_perm("opinions.record_opinion", station)
    if place is not None:
        return _is_recording_staff(user) and region_in_scope(user, place)
    return False


def may_record_at_all(user) -> bool:
    """Whether the record pages are open to `user` at all (the rest is per station)."""
    if _is_recording_staff(user):
        return True
    return _active(user) and user.role in (Role.LIAISON, Role.DEPUTY)


def recording_stations(user) -> QuerySet[Station]:
    """The active stations `user` may record opinions for, by street and name."""
    stations = Station.objects.active().select_related("street", "street__parent")
    stations = stations.order_by("street__path", "name", "pk")
    if not _active(user):
        return stations.none()
    if is_unrestricted(user):
        return stations
    if _is_recording_staff(user):
        return stations.in_region(user.region)
    if user.role == Role.LIAISON:
        return stations.filter(liaisons=user)
    if user.role == Role.DEPUTY:
        current = StationAssignment.objects.current().filter(
            station=OuterRef("pk"), deputy__user=user
        )
        return stations.filter(Exists(current))
    return stations.none()


def recording_places(user) -> QuerySet[Region]:
    """Streets and communities `user` may record about without naming a station (staff)."""
    places = Region.objects.filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])
    if is_unrestricted(user):
        return places.order_by("path")
    if not _is_recording_staff(user):
        return places.none()
    return places.filter(path__startswith=user.region.path).order_by("path")


def recording_districts(user) -> list[Region]:
    """Districts `user` may record or import into: their scope's, or their stations'."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("path")
    if is_unrestricted(user):
        return list(districts)
    if _is_recording_staff(user):
        region = user.region
        if region.level in (RegionLevel.STREET, RegionLevel.COMMUNITY):
            return [district_of(region)]
        return list(districts.filter(path__startswith=region.path))
    street_ids = recording_stations(user).values("street__parent_id")
    return list(districts.filter(pk__in=street_ids))


# --- where an opinion belongs ------------------------------------------------------------


def district_of(region: Region) -> Region:
    """The district a region lies in (itself for a district)."""
    node = region
    while node is not None and node.level != RegionLevel.DISTRICT:
        node = node.parent
    if node is None:
        raise ValueError(f"{region} is not inside a district")
    return node


def street_of_place(place: Region) -> Region | None:
    if place.level == RegionLevel.STREET:
        return place
    if place.level == RegionLevel.COMMUNITY:
        return place.parent
    return None


def station_district(station: Station) -> Region:
    return district_of(station.street)


def main_station_of(deputy: Deputy) -> Station | None:
    """The station a deputy's opinions go to: the one they head, else the first assigned."""
    assignment = (
        StationAssignment.objects.current()
        .filter(deputy=deputy, station__is_active=True)
        .select_related("station", "station__street", "station__street__parent")
        .order_by("-is_head", "station__name", "pk")
        .first()
    )
    return assignment.station if assignment else None


@dataclass
class Placement:
    """Where an opinion belongs: its district (scoping, sharding) and street (filters)."""

    district: Region
    street: Region | None
    station: Station | None = None
    deputy: Deputy | None = None


def _placement(*, station, deputy, place, district=None) -> Placement:
    if station is not None:
        district = station_district(station)
    elif deputy is not None and district is None:
        district = deputy.district
    elif district is None and place is not None:
        district = district_of(place)
    if district is None:
        raise OpinionError("no_place", _("请选择所在社区。"))
    street = street_of_place(place) if place is not None else None
    if street is None and station is not None:
        street = station.street
    return Placement(district=district, street=street, station=station, deputy=deputy)


# --- checking what was typed -------------------------------------------------------------


def _text(data: dict, key: str, errors: dict, *, limit: int, required: str = "") -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = [_("格式不正确。")]
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if CONTROL.search(value):
        errors[key] = [_("含有无法识别的控制字符，请删除后重新输入。")]
        return ""
    if required and not value:
        errors[key] = [required]
        return ""
    if len(value) > limit:
        errors[key] = [
            _("不能超过 %(limit)d 个字（现有 %(count)d 个字）。")
            % {"limit": limit, "count": len(value)}
        ]
        return ""
    return value


def clean_opinion_data(
    data: dict,
    *,
    district: Region | None,
    place_required: bool,
    mobile_only: bool,
    subject_required: bool = True,
) -> dict:
    """The fields of one opinion, checked and tidied; ValidationError({field: [messages]}).

    `data` holds subject, content, category (a Category or None), place (a street or
    community Region or None), address, submitter_name, submitter_phone, submitter_email.
    """
    errors: dict[str, list] = {}
    cleaned = {
        "subject": _text(
            data,
            "subject",
            errors,
            limit=SUBJECT_LIMIT,
            required=_("请填写标题。") if subject_required else "",
        ),
        "content": _text(
            data, "content", errors, limit=CONTENT_LIMIT, required=_("请填写意见建议的内容。")
        ),
        "address": _text(data, "address", errors, limit=ADDRESS_LIMIT),
        "submitter_name": _text(data, "submitter_name", errors, limit=NAME_LIMIT),
    }
    if not cleaned["subject"] and not subject_required and cleaned["content"]:
        # Offline ledgers often have no title: the start of the content stands for one.
        first_line = cleaned["content"].split("\n", 1)[0]
        cleaned["subject"] = first_line[: min(30, SUBJECT_LIMIT)]

    category = data.get("category")
    if category is not None and (not isinstance(category, Category) or not category.is_active):
        errors["category"] = [_("请选择有效的类别。")]
        category = None
    cleaned["category"] = category

    place = data.get("place")
    if place is not None:
        if not isinstance(place, Region) or place.level not in (
            RegionLevel.STREET,
            RegionLevel.COMMUNITY,
        ):
            errors["place"] = [_("请选择所在社区。")]
            place = None
        elif district is not None and not place.is_within(district):
            errors["place"] = [_("所选社区不在%(district)s范围内。") % {"district": district.name}]
            place = None
    elif place_required:
        errors["place"] = [_("请选择所在社区（用于交给相应街道办理）。")]
    cleaned["place"] = place

    phone_text = _text(data, "submitter_phone", errors, limit=40)
    cleaned["submitter_phone"] = ""
    if phone_text:
        phone = normalize_phone(phone_text, mobile_only=mobile_only)
        if phone is None:
            errors["submitter_phone"] = [
                _("请填写11位手机号码，如 13912345678。")
                if mobile_only
                else _("请填写11位手机号码或带区号的固定电话，如 027-88886666。")
            ]
        else:
            cleaned["submitter_phone"] = phone

    email = _text(data, "submitter_email", errors, limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["submitter_email"] = [_("电子邮箱格式不正确，如 name@example.com。")]
            email = ""
    cleaned["submitter_email"] = email

    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_photo_list(photos) -> list[CleanPhoto]:
    try:
        return check_photos(photos)
    except ValidationError as error:
        raise ValidationError({"photos": error.error_list}) from error


def _window_text(rate: ratelimit.Rate) -> str:
    if rate.window % 3600 == 0:
        return _("%(hours)d 小时") % {"hours": rate.window // 3600}
    return _("%(minutes)d 分钟") % {"minutes": rate.minutes}


def _throttled(name: str) -> SubmissionThrottled:
    rate = ratelimit.rate_for(name)
    text = _(
        "提交太频繁了：同一网络 %(window)s内最多提交 %(limit)d 条意见。"
        "您之前提交的意见都已收到；这一条还没有提交，请稍后再试。"
    )
    return SubmissionThrottled(
        text % {"window": _window_text(rate), "limit": rate.limit}, retry_after=rate.window
    )


def _throttle(client_ip: str, counts: list) -> None:
    """Count this submission against the address, or refuse it.

    Each count made is appended to `counts`, so a submission that turns out to create
    nothing (its form key had made the opinion already) can take them back.
    """
    counted = ratelimit.count("submit_ip", client_ip)
    if counted is None:
        return
    counts.append(counted)
    if not counted.allowed:
        raise _throttled("submit_ip")


# --- writing -----------------------------------------------------------------------------


def public_detail_url(opinion: Opinion) -> str:
    """The submitter's page of the opinion, as a full address for a message."""
    path = reverse("opinions_public:detail", args=[opinion.tracking_code])
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _may_send_code(to: str, client_ip: str) -> bool:
    """Whether a code may go to `to` now: counted per recipient and per client address."""
    allowed = ratelimit.hit("message_to", to.strip().lower())
    if client_ip:
        allowed = ratelimit.hit("message_ip", client_ip) and allowed
    if not allowed:
        logger.info("tracking code not sent: the message limit is reached")
    return allowed


# The composer of the message with the tracking code and rating key (notifications.composers):
# the worker writes the text again from the opinion, so no stored row holds either secret.
RECEIVED_MESSAGE = "opinions.received"


@message_composer(RECEIVED_MESSAGE)
def received_message(opinion: Opinion) -> Composed:
    key = rating_key(opinion.tracking_code)
    body = _(
        "您反映的意见建议“%(subject)s”已收到，查询码：%(code)s，评价码：%(key)s"
        "（评价时使用，请勿告诉他人）。凭查询码查看办理进度：%(url)s"
    ) % {
        "subject": opinion.subject[:20],
        "code": opinion.tracking_code,
        "key": key,
        "url": public_detail_url(opinion),
    }
    subject = _("您的意见建议已收到（查询码 %(code)s）") % {"code": opinion.tracking_code}
    return Composed(subject=subject, body=body, secrets=(opinion.tracking_code, key))


def _deliver_code(opinion: Opinion, client_ip: str = "") -> None:
    to = opinion.submitter_phone or opinion.submitter_email
    if not to or not _may_send_code(to, client_ip):
        return
    if opinion.submitter_phone and normalize_mobile(opinion.submitter_phone):
        channel, to = "sms", opinion.submitter_phone
    elif opinion.submitter_email:
        channel, to = "email", opinion.submitter_email
    else:
        return
    message_send(channel=channel, to=to, related=opinion, composer=RECEIVED_MESSAGE)


def _send_code_after_commit(opinion: Opinion, client_ip: str = "") -> None:
    if not (opinion.submitter_phone or opinion.submitter_email):
        return
    # robust: a failing sender is logged and never turns a saved opinion into an error page.
    # The opinion as written (what the message reads of it, its code, words and contacts,
    # is set when it is made): not read again after the commit.
    transaction.on_commit(lambda: _deliver_code(opinion, client_ip), robust=True)


def _received_data(opinion: Opinion, *, photos: int = 0, **extra) -> dict:
    data = {"channel": opinion.channel}
    if opinion.station_id:
        data["station"] = opinion.station_id
    if opinion.deputy_id:
        data["deputy"] = opinion.deputy_id
    if photos:
        data["photos"] = photos
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


def _new_opinion(
    cleaned: dict,
    *,
    placement: Placement,
    channel: str,
    by,
    received_at: datetime.datetime,
    tracking_code: str,
    submission_key: str | None = None,
    intake_session: IntakeSession | None = None,
    submitted_by=None,
) -> Opinion:
    return Opinion(
        tracking_code=tracking_code,
        subject=cleaned["subject"],
        content=cleaned["content"],
        category=cleaned["category"],
        channel=channel,
        status=Status.RECEIVED,
        place=cleaned["place"],
        address=cleaned["address"],
        district=placement.district,
        street=placement.street,
        station=placement.station,
        deputy=placement.deputy,
        intake_session=intake_session,
        submitter_name=cleaned["submitter_name"],
        submitter_phone=cleaned["submitter_phone"],
        submitter_email=cleaned["submitter_email"],
        recorded_by=by,
        submitted_by=submitted_by,
        submission_key=submission_key,
        received_at=received_at,
        search_text=opinion_search_text(cleaned["subject"], cleaned["content"]),
    )


def _store_photos(opinion: Opinion, photos: list[CleanPhoto], keep) -> None:
    for photo in photos:
        attachment = Attachment(
            opinion=opinion,
            original_name=photo.original_name,
            content_type=photo.content_type,
            size=photo.size,
            sha256=photo.sha256,
            extension=photo.extension,
        )
        attachment.file.save(
            f"{photo.sha256}{photo.extension}", ContentFile(photo.data), save=False
        )
        keep(attachment.file)
        attachment.save()


def _create(
    cleaned: dict,
    *,
    placement: Placement,
    channel: str,
    by,
    photos: list[CleanPhoto] = (),
    received_at: datetime.datetime | None = None,
    submission_key: str | None = None,
    intake_session: IntakeSession | None = None,
    event_extra: dict | None = None,
    client_ip: str = "",
    submitted_by=None,
) -> Opinion:
    """Write one opinion with its photos and its "received" event, in one transaction.

    The tracking code is drawn at random and not looked up first: the unique index on it
    is the check, and the rare clash is retried with a fresh code.
    """
    received_at = received_at or timezone.now()
    for attempt in range(1, CODE_ATTEMPTS + 1):
        code = new_code()
        try:
            return _create_once(
                cleaned,
                placement=placement,
                channel=channel,
                by=by,
                photos=photos,
                received_at=received_at,
                tracking_code=code,
                submission_key=submission_key,
                intake_session=intake_session,
                event_extra=event_extra,
                client_ip=client_ip,
                submitted_by=submitted_by,
            )
        except IntegrityError:
            # Only a clash on the code is retried; anything else (the same submission key
            # sent twice at once, a broken reference) goes to the caller as it is.
            if attempt == CODE_ATTEMPTS or not _code_clash(code, submission_key):
                raise
            logger.info("tracking code clash, drawing another one")
    raise AssertionError("unreachable")


def _code_clash(code: str, submission_key: str | None) -> bool:
    if submission_key and Opinion.objects.filter(submission_key=submission_key).exists():
        return False
    return Opinion.objects.filter(tracking_code=code).exists()


def _create_once(
    cleaned: dict,
    *,
    placement: Placement,
    channel: str,
    by,
    photos,
    received_at: datetime.datetime,
    tracking_code: str,
    submission_key: str | None,
    intake_session: IntakeSession | None,
    event_extra: dict | None,
    client_ip: str = "",
    submitted_by=None,
) -> Opinion:
    # The rows are rolled back on any error; the photo files written for them go too.
    with removed_on_error() as keep, transaction.atomic():
        opinion = _new_opinion(
            cleaned,
            placement=placement,
            channel=channel,
            by=by,
            received_at=received_at,
            tracking_code=tracking_code,
            submission_key=submission_key,
            intake_session=intake_session,
            submitted_by=submitted_by,
        )
        opinion.save(force_insert=True)
        _store_photos(opinion, list(photos), keep)
        event_record(
            actor=by,
            subject=opinion,
            verb=OpinionVerb.RECEIVED,
            to_state=Status.RECEIVED,
            data=_received_data(opinion, photos=len(photos), **(event_extra or {})),
            district_code=placement.district.code,
        )
        _send_code_after_commit(opinion, client_ip)
        news.tell_new_opinion_after_commit(opinion, by)
        routing.propose_after_commit(opinion)
        duplicates.print_after_commit(opinion)
    return opinion


def opinion_by_submission_key(submission_key: str | None) -> Opinion | None:
    if not submission_key:
        return None
    return Opinion.objects.filter(submission_key=submission_key).first()


def tracking_code_by_submission_key(submission_key: str | None) -> str | None:
    """The tracking code of the opinion a form key already created (one indexed lookup)."""
    if not submission_key:
        return None
    return (
        Opinion.objects.filter(submission_key=submission_key)
        .order_by()
        .values_list("tracking_code", flat=True)
        .first()
    )


def _key(submission_key) -> str | None:
    key = (submission_key or "").strip()
    return key[:64] or None


# --- the public form (掌上直通车, 扫码反映) ---------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """What a public submission came to: its opinion, and whether this request created it
    (False: the form key had created it before; a double click or a retry)."""

    opinion: Opinion
    created: bool


def opinion_from_suggestion(
    *, district, place, deputy: Deputy, subject: str, content: str, category, by, note: str = ""
) -> Opinion:
    """An opinion made from a deputy's suggestion that its reviewer sent to the opinions'
    handling (转为意见办理), in the caller's transaction: received, addressed to the deputy,
    with the reviewer's note; the deputy stands as the one who raised it. Suggestions sit
    above opinions and call this; opinions never name them."""
    placement = Placement(
        district=district, street=place, station=main_station_of(deputy), deputy=deputy
    )
    cleaned = {
        "subject": subject,
        "content": content,
        "category": category,
        "place": place,
        "address": "",
        "submitter_name": deputy.name,
        "submitter_phone": "",
        "submitter_email": "",
    }
    return _create(
        cleaned,
        placement=placement,
        channel=Channel.SUGGESTION,
        by=by,
        event_extra={"note": note} if note else None,
    )


def opinion_submit(
    *,
    data: dict,
    photos,
    station: Station | None = None,
    deputy: Deputy | None = None,
    channel: str,
    submission_key: str | None,
    client_ip: str = "",
    key_checked: bool = False,
    by=None,
) -> Opinion:
    """A citizen's opinion from the public form; no account needed. `by`: the account the
    form was sent from, if signed in (a citizen's own opinions are listed on their home).

    Idempotent on `submission_key` (the one-time key of the rendered form): a double
    click or a retry after a timeout returns the opinion the first request created.
    Refuses with SubmissionThrottled when the address or the phone has used up its
    rate; what was accepted before stays accepted. `key_checked`: do not look the key
    up before writing (the caller has, or relies on the unique index, which catches a
    used key all the same); saves a query.
    """
    return _submit(
        data=data,
        photos=photos,
        station=station,
        deputy=deputy,
        channel=channel,
        submission_key=submission_key,
        client_ip=client_ip,
        look_up_key=not key_checked,
        by=by,
    ).opinion


def opinion_submit_once(
    *,
    data: dict,
    photos,
    station: Station | None = None,
    deputy: Deputy | None = None,
    channel: str,
    submission_key: str | None,
    client_ip: str = "",
    by=None,
) -> Submitted:
    """As `opinion_submit`, telling whether the opinion was created now or before.

    The key is not looked up first: the opinion is written, and the unique index on the
    key refuses a second one (a retry, or two requests at once); the opinion the key
    made is then looked up and returned, outside the rolled-back transaction. A retry
    thus costs what a submission costs, and a submission costs one query less.
    """
    return _submit(
        data=data,
        photos=photos,
        station=station,
        deputy=deputy,
        channel=channel,
        submission_key=submission_key,
        client_ip=client_ip,
        look_up_key=False,
        by=by,
    )


def _submit(
    *,
    data: dict,
    photos,
    station: Station | None,
    deputy: Deputy | None,
    channel: str,
    submission_key: str | None,
    client_ip: str,
    look_up_key: bool,
    by=None,
) -> Submitted:
    key = _key(submission_key)
    existing = opinion_by_submission_key(key) if look_up_key else None
    if existing is not None:
        return Submitted(existing, created=False)
    if channel not in PUBLIC_CHANNELS:
        raise OpinionError("invalid_channel", _("渠道不正确。"))
    if deputy is not None and station is None:
        station = main_station_of(deputy)
    district = None
    if station is not None:
        district = station_district(station)
    elif deputy is not None:
        district = deputy.district
    cleaned = clean_opinion_data(
        data, district=district, place_required=station is None, mobile_only=True
    )
    clean_photos = _check_photo_list(photos)
    placement = _placement(station=station, deputy=deputy, place=cleaned["place"])
    # The rates count opinions: a request whose key had made its opinion already takes
    # its counts back, and is never refused (it gets the first opinion's confirmation).
    counts: list = []
    try:
        _throttle(client_ip, counts)
    except SubmissionThrottled:
        existing = opinion_by_submission_key(key)
        if existing is None:
            raise
        ratelimit.uncount(counts)
        return Submitted(existing, created=False)
    try:
        opinion = _create(
            cleaned,
            placement=placement,
            channel=channel,
            by=None,
            photos=clean_photos,
            submission_key=key,
            client_ip=client_ip,
            # Only an active account's: the form is public, and anyone may send it.
            submitted_by=by if _active(by) else None,
        )
    except IntegrityError:
        # The key made an opinion before (a retry), or a request with the same key at
        # the same time won: show that opinion.
        existing = opinion_by_submission_key(key)
        if existing is None:
            raise
        ratelimit.uncount(counts)
        return Submitted(existing, created=False)
    return Submitted(opinion, created=True)


# --- recorded by a deputy, liaison or staff (代表/联络员录入) ------------------------


def _check_received_at(received_at) -> datetime.datetime:
    now = timezone.now()
    if received_at is None:
        return now
    if isinstance(received_at, datetime.date) and not isinstance(received_at, datetime.datetime):
        received_at = received_at_for_day(received_at)
    if received_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": [_("收集日期不能晚于今天。")]})
    return received_at


def received_at_for_day(day: datetime.date) -> datetime.datetime:
    """The moment recorded for an opinion collected on `day`: now if today, else its start."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _own_deputy(user) -> Deputy | None:
    if not _active(user) or user.role != Role.DEPUTY:
        return None
    return Deputy.objects.filter(user=user).first()


def _deputy_at(deputy: Deputy, station: Station) -> bool:
    return StationAssignment.objects.current().filter(deputy=deputy, station=station).exists()


def opinion_record(
    *,
    by,
    data: dict,
    photos=(),
    station: Station | None = None,
    deputy: Deputy | None = None,
    channel: str = Channel.STATION_VISIT,
    received_at=None,
    submission_key: str | None = None,
) -> Opinion:
    """An opinion a deputy, liaison or staff member took down (a station visit, a box).

    A deputy recording without naming a deputy records it as addressed to themselves.
    Without a station, staff must name the place (community or street).
    """
    key = _key(submission_key)
    existing = opinion_by_submission_key(key)
    if existing is not None:
        return existing
    if channel not in RECORD_CHANNELS:
        raise OpinionError("invalid_channel", _("渠道不正确。"))
    if deputy is None:
        deputy = _own_deputy(by)
    place = data.get("place")
    place = place if station is None and isinstance(place, Region) else None
    if not can_record(by, station=station, place=place):
        raise PermissionDenied(_("你无权为该站点或地区录入意见。"))
    errors: dict = {}
    if deputy is not None and station is not None and not _deputy_at(deputy, station):
        errors["deputy"] = [_("该代表未编入所选站点。")]
    district = station_district(station) if station is not None else None
    try:
        cleaned = clean_opinion_data(
            data, district=district, place_required=station is None, mobile_only=False
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        received_at = _check_received_at(received_at)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    clean_photos = _check_photo_list(photos)
    placement = _placement(station=station, deputy=deputy, place=cleaned["place"])
    try:
        return _create(
            cleaned,
            placement=placement,
            channel=channel,
            by=by,
            photos=clean_photos,
            received_at=received_at,
            submission_key=key,
        )
    except IntegrityError:
        existing = opinion_by_submission_key(key)
        if existing is not None:
            return existing
        raise


# --- batch entry at an event (半月谈、夜话、集中接待) -------------------------------


@dataclass
class SessionPlan:
    kind: str
    title: str
    held_on: datetime.date
    station: Station | None
    district: Region
    deputies: list = field(default_factory=list)


def _check_session(by, session_data: dict) -> tuple[SessionPlan | None, dict]:
    errors: dict[str, list] = {}
    kind = session_data.get("kind") or ""
    if kind not in IntakeSession.Kind.values:
        errors["kind"] = [_("请选择活动类型。")]
    title = _text(
        session_data, "title", errors, limit=SESSION_TITLE_LIMIT, required=_("请填写活动名称。")
    )
    held_on = session_data.get("held_on")
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("请填写活动日期。")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("活动日期不能晚于今天。")]
    station = session_data.get("station")
    district = session_data.get("district")
    if station is not None:
        if not can_record(by, station=station):
            raise PermissionDenied(_("你无权为该站点录入意见。"))
        district = station_district(station)
    elif district is None or not _is_recording_staff(by):
        errors["station"] = [_("请选择活动所在的站点。")]
    deputies = list(session_data.get("deputies") or [])
    if station is not None and deputies:
        assigned = set(
            StationAssignment.objects.current()
            .filter(station=station, deputy__in=deputies)
            .values_list("deputy_id", flat=True)
        )
        strangers = [d.name for d in deputies if d.pk not in assigned]
        if strangers:
            errors["deputies"] = [
                _("以下代表未编入该站点：%(names)s。") % {"names": "、".join(strangers)}
            ]
    if errors:
        return None, errors
    return (
        SessionPlan(
            kind=kind,
            title=title,
            held_on=held_on,
            station=station,
            district=district,
            deputies=deputies,
        ),
        errors,
    )


def intake_session_record(*, by, session_data: dict, opinions: list[dict]) -> IntakeSession:
    """One event and the opinions taken at it, each with its own submitter: all or nothing.

    `session_data`: kind, title, held_on, station (or district, for staff), deputies.
    `opinions`: one dict per opinion, as for `opinion_record`. Raises BatchInvalid
    listing every problem when anything is wrong; then nothing is written.
    """
    if not may_record_at_all(by):
        raise PermissionDenied(_("你无权录入意见。"))
    plan, session_errors = _check_session(by, session_data)
    if not opinions:
        session_errors.setdefault("__all__", []).append(_("请至少填写一条意见。"))
    elif len(opinions) > MAX_SESSION_ROWS:
        session_errors.setdefault("__all__", []).append(
            _("一次最多录入 %(limit)d 条意见，请分批录入。") % {"limit": MAX_SESSION_ROWS}
        )
    district = plan.district if plan else None
    row_errors: dict[int, ValidationError] = {}
    rows: list[dict] = []
    for index, row in enumerate(opinions):
        try:
            cleaned = clean_opinion_data(
                row,
                district=district,
                place_required=plan is not None and plan.station is None,
                mobile_only=False,
            )
        except ValidationError as error:
            row_errors[index] = error
            continue
        if plan is not None and plan.station is None and not can_record(by, place=cleaned["place"]):
            row_errors[index] = ValidationError({"place": [_("该社区不在你的工作范围内。")]})
            continue
        rows.append(cleaned)
    if session_errors or row_errors:
        raise BatchInvalid(session_errors=session_errors, row_errors=row_errors)

    received_at = received_at_for_day(plan.held_on)
    deputy = plan.deputies[0] if len(plan.deputies) == 1 else None
    with transaction.atomic():
        session = IntakeSession.objects.create(
            kind=plan.kind,
            title=plan.title,
            held_on=plan.held_on,
            station=plan.station,
            district=plan.district,
            recorded_by=by,
        )
        if plan.deputies:
            session.deputies.set(plan.deputies)
        for cleaned in rows:
            _create(
                cleaned,
                placement=_placement(
                    station=plan.station,
                    deputy=deputy,
                    place=cleaned["place"],
                    district=plan.district,
                ),
                channel=Channel.EVENT,
                by=by,
                received_at=received_at,
                intake_session=session,
                event_extra={"intake_session": session.pk},
            )
        event_record(
            actor=by,
            subject=session,
            verb=OpinionVerb.SESSION_RECORDED,
            note=session.title,
            data={"opinions": len(rows), "kind": session.kind},
            district_code=plan.district.code,
        )
    return session


# --- offline ledgers (线下台账导入) ----------------------------------------------------


def opinions_import_ledger(*, by, file, file_name: str, district: Region, progress=None):
    """Import an .xlsx ledger of opinions collected offline into `district`.

    Every row is checked first; a file with any problem writes nothing and comes back
    with its per-row report (zhitong.imports' reader and row checks, reused). A good
    file is written in one transaction, each opinion with its "received" event.
    Returns a ledger_import.ImportResult.
    """
    from zhitong.opinions import ledger_import

    result = ledger_import.import_ledger(
        by=by, file=file, file_name=file_name, district=district, progress=progress
    )
    if result.created:
        # The statistics above refresh now, not on their next timer (core.signals).
        district_id = district.pk
        transaction.on_commit(
            lambda: rows_imported.send(sender=Opinion, district=district_id), robust=True
        )
    return result


def access_intake_session(user, pk) -> IntakeSession:
    """The event `pk` if `user` recorded it or may record for its station; Http404 otherwise."""
    from django.http import Http404

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    session = (
        IntakeSession.objects.select_related(
            "station", "station__street", "district", "recorded_by"
        )
        .filter(pk=pk)
        .first()
    )
    if session is None or not _active(user):
        raise Http404
    if session.recorded_by_id == user.pk:
        return session
    if session.station_id is not None and can_record(user, station=session.station):
        return session
    if (
        session.station_id is None
        and _is_recording_staff(user)
        and region_in_scope(user, session.district)
    ):
        return session
    raise Http404
