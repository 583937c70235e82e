"""Public opinion pages (no login): the form at the QR-code paths, the confirmation, and the
submitter's pages by tracking code (progress, reply, rating)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from zhitong.core import vocabulary
from zhitong.deputies.models import Deputy
from zhitong.notifications.selectors import message_sent_about
from zhitong.opinions import duplicates, intake, lifecycle, ratelimit
from zhitong.opinions.forms_public import (
    OPINION_FIELDS,
    PublicOpinionForm,
    RatingForm,
    TrackForm,
    public_place_choices,
)
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.opinions.selectors import (
    access_opinion_by_code,
    opinion_timeline,
    reply_to_rate,
    submitter_view,
)
from zhitong.opinions.services import OpinionError, opinion_follow, rating_submit
from zhitong.opinions.tracking import normalize_code, rating_key, rating_key_matches
from zhitong.opinions.uploads import MAX_PHOTO_BYTES, MAX_PHOTOS
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations import directory
from zhitong.stations.models import Station

SUBMISSION_SALT = "zhitong.opinions.submission_key"
CONFIRMATION_SALT = "zhitong.opinions.confirmation"
# A form left open over a day must be reloaded; the key then tells nothing useful to anyone.
SUBMISSION_MAX_AGE = 2 * 24 * 3600
# The confirmation link works for a week (the tracking code works for ever).
CONFIRMATION_MAX_AGE = 7 * 24 * 3600
# How far a chain of merges is followed to the opinion that is being handled.
MAX_MERGE_HOPS = 5

# --- the one-time submission key ---------------------------------------------------------


def new_submission_key() -> str:
    """A fresh key for a rendered form, signed so it cannot be made up."""
    return signing.dumps(secrets.token_urlsafe(24), salt=SUBMISSION_SALT)


def read_submission_key(signed: str) -> str | None:
    try:
        key = signing.loads(signed or "", salt=SUBMISSION_SALT, max_age=SUBMISSION_MAX_AGE)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and 16 <= len(key) <= 64 else None


def confirmation_url(opinion: Opinion) -> str:
    return confirmation_url_for(opinion.submission_key)


def confirmation_url_for(submission_key: str) -> str:
    """The confirmation page of the opinion the form key made.

    The token carries the form's random key, not the tracking code: the address (in the
    browser's history, in access logs) tells nothing about the opinion by itself, and only
    the browser that sent the form has it.
    """
    token = signing.dumps(submission_key, salt=CONFIRMATION_SALT)
    return reverse("opinions_public:submitted", args=[token])


# --- the form ----------------------------------------------------------------------------


@dataclass
class FormTarget:
    """Who the form writes to, which channel that is, and where the matter may be.

    `context` and `display` are for showing the form only: `display` builds what takes
    queries (the rota, the deputy's seats), so a submission that succeeds never pays for it.
    """

    channel: str
    district: Region
    station: Station | None = None
    deputy: Deputy | None = None
    context: dict = field(default_factory=dict)
    display: Callable[[], dict] | None = None
    hidden: dict = field(default_factory=dict)


def _street_of(target: FormTarget, place: Region | None) -> Region | None:
    """The street an opinion being written is about: its place's, else its station's."""
    if place is not None:
        return intake.street_of_place(place)
    return target.station.street if target.station is not None else None


def _hints(request, target: FormTarget, form) -> list:
    """The open opinions nearby like the one the posted form describes."""
    place = form.place_for(request.POST.get("place", ""))
    return duplicates.for_citizen(
        district=target.district,
        place=place,
        street=_street_of(target, place),
        subject=request.POST.get("subject", ""),
        content=request.POST.get("content", ""),
    )


def _check_similar(request, target: FormTarget, place_options, place_required) -> HttpResponse:
    """The form's "看看有没有人反映过" button, for a phone without JavaScript: the form
    again, as it was filled in (photos aside, which are not even opened), with the open
    opinions nearby that look like the same matter. Nothing is written."""
    signed = request.POST.get("submission_key", "")
    if read_submission_key(signed) is None:
        signed = new_submission_key()
    form = PublicOpinionForm(
        initial={name: request.POST.get(name, "") for name in OPINION_FIELDS},
        place_options=place_options,
        place_required=place_required,
    )
    found = _hints(request, target, form)
    return _render_form(
        request,
        target,
        form,
        signed,
        similar=found,
        checked=True,
        photos_dropped=bool(request.FILES),
    )


def _follow_chosen(request, opinion: Opinion) -> None:
    """The submitter pressed a hint's "跟进这一件" button: their new opinion follows it."""
    main_id = duplicates.followed(request.POST.get("follow", ""))
    if main_id is None:
        return
    try:
        opinion_follow(opinion=opinion, main_id=main_id)
    except OpinionError as error:
        messages.warning(request, error.messages[0] if error.messages else str(error))


def _opinion_form(request, target: FormTarget):
    place_options = public_place_choices(target.district)
    place_required = target.station is None
    throttled = None
    status = 200
    if request.method == "POST":
        refused = _refuse_post_early(request)
        if refused is not None:
            return refused
        if request.POST.get("check"):
            return _check_similar(request, target, place_options, place_required)
        signed = request.POST.get("submission_key", "")
        key = read_submission_key(signed)
        form = PublicOpinionForm(
            request.POST,
            # A form without a valid key is never going to be saved: its photos are not
            # even opened (a forged key must not reach the image decoder).
            request.FILES if key is not None else None,
            place_options=place_options,
            place_required=place_required,
        )
        if key is None:
            form.is_valid()
            form.add_error(None, _("页面已过期，请检查填写的内容，再点一次“提交”。"))
            signed = new_submission_key()
        elif form.is_valid():
            try:
                # The key is not looked up first: the unique index on it catches a double
                # click or a retry, and the service returns the opinion the key made.
                submitted = intake.opinion_submit_once(
                    data=form.opinion_data(),
                    photos=form.cleaned_data["photos"],
                    station=target.station,
                    deputy=target.deputy,
                    channel=target.channel,
                    submission_key=key,
                    client_ip=ratelimit.client_address(request),
                    by=request.user,
                )
            except intake.SubmissionThrottled as error:
                throttled = error
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if submitted.created:
                    _follow_chosen(request, submitted.opinion)
                return _submitted_redirect(submitted)
        # A retry whose form no longer passes (a category retired since, say) may still
        # be of a submission that went through: it gets that confirmation, not errors.
        # Looked up only here, on the way to an error page.
        if (
            key is not None
            and throttled is None
            and intake.tracking_code_by_submission_key(key) is not None
        ):
            return HttpResponseRedirect(confirmation_url_for(key))
        status = 429 if throttled else 400
    else:
        form = PublicOpinionForm(place_options=place_options, place_required=place_required)
        signed = new_submission_key()
    similar = ()
    if request.method == "POST" and request.POST.get("follow") and throttled is None:
        # A follow button pressed on a form that did not pass: the hints again, so the
        # citizen can press it once the form is put right.
        similar = _hints(request, target, form)
    return _render_form(
        request,
        target,
        form,
        signed,
        status=status,
        throttled=throttled,
        photos_dropped=request.method == "POST" and bool(request.FILES),
        similar=similar,
    )


def _render_form(
    request,
    target: FormTarget,
    form,
    signed: str,
    *,
    status: int = 200,
    throttled=None,
    photos_dropped: bool = False,
    similar=(),
    checked: bool = False,
) -> HttpResponse:
    street = _street_of(target, None)
    query = {"district": target.district.code}
    if street is not None:
        query["street"] = street.pk
    context = {
        "form": form,
        "submission_key": signed,
        "throttled": throttled,
        "photos_dropped": photos_dropped,
        "target": target,
        "station": target.station,
        "deputy": target.deputy,
        "district": target.district,
        "hidden": target.hidden,
        "similar": similar,
        "similar_checked": checked,
        "similar_url": f"{reverse('opinions_public:similar')}?{urlencode(query)}",
        **target.context,
        **(target.display() if target.display else {}),
    }
    response = render(request, "opinions/public/form.html", context, status=status)
    if throttled is not None:
        response["Retry-After"] = str(throttled.retry_after)
    return response


@never_cache
@require_safe
def similar(request):
    """The open opinions nearby that look like the one being written (the form's script
    asks as the citizen types): a piece of the form, empty when there are none.

    Counted per address (similar_ip) before anything is read; the text compared is cut to
    its first characters, and the candidates to the newest of the street."""
    if not ratelimit.hit("similar_ip", ratelimit.client_address(request)):
        response = render(request, "opinions/public/_similar.html", {"throttled": True}, status=429)
        response["Retry-After"] = str(ratelimit.rate_for("similar_ip").window)
        return response
    code = request.GET.get("district", "")[:20]
    district = next((d for d in intake_districts() if d.code == code), None)
    if district is None:
        return HttpResponse(status=400)
    _choices, places = public_place_choices(district)
    place = places.get(request.GET.get("place", "")[:40])
    street = intake.street_of_place(place) if place is not None else None
    if street is None and request.GET.get("street", "").isdigit():
        street = Region.objects.filter(
            pk=int(request.GET["street"]), parent=district, level=RegionLevel.STREET
        ).first()
    found = duplicates.for_citizen(
        district=district,
        place=place,
        street=street,
        subject=request.GET.get("subject", ""),
        content=request.GET.get("content", ""),
    )
    return render(request, "opinions/public/_similar.html", {"similar": found})


# The largest body read at all: twice what a valid form with its photos can be, so that a
# photo somewhat too large gets its error beside the field (the text kept), while a body
# far larger is refused before it is parsed. The nginx site in deploy/ allows as much.
MAX_FORM_BODY = 2 * MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024


def _refuse_post_early(request) -> HttpResponse | None:
    """Count the POST and refuse it before its body is read, when over a limit.

    Every POST counts against the address (post_ip), refused ones too; past the limit, or
    with a body larger than any valid form, nothing is parsed, decoded or written.
    """
    address = ratelimit.client_address(request)
    if not ratelimit.hit("post_ip", address):
        rate = ratelimit.rate_for("post_ip")
        message = _(
            "提交太频繁了：同一网络 %(minutes)d 分钟内最多提交 %(limit)d 次。"
            "这一次没有提交，请稍后再试。"
        ) % {"minutes": rate.minutes, "limit": rate.limit}
        response = render(
            request, "opinions/public/form_refused.html", {"message": message}, status=429
        )
        response["Retry-After"] = str(rate.window)
        return response
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_FORM_BODY:
        message = _(
            "提交的内容过大（超过 %(limit)d MB），没有提交。"
            "照片最多 %(count)d 张，每张不超过 %(mb)d MB，请重新选择后再提交。"
        ) % {
            "limit": MAX_FORM_BODY // (1024 * 1024),
            "count": MAX_PHOTOS,
            "mb": MAX_PHOTO_BYTES // (1024 * 1024),
        }
        return render(
            request, "opinions/public/form_refused.html", {"message": message}, status=413
        )
    return None


def _submitted_redirect(submitted: intake.Submitted) -> HttpResponse:
    """To the confirmation: 303 after the POST that created the opinion; a double click or
    a retry gets the same confirmation with a plain redirect (302), as it always has.

    The address is built already: HttpResponseRedirect, not redirect(), which would first
    try (and fail) to reverse it as a view name."""
    response = HttpResponseRedirect(confirmation_url(submitted.opinion))
    if submitted.created:
        response.status_code = 303
    return response


def intake_districts() -> list[Region]:
    """Districts that receive opinions online: those with an active station (else all)."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("path")
    live = list(
        districts.filter(
            Exists(Station.objects.active().filter(street__parent=OuterRef("pk")))
        ).select_related("parent")
    )
    return live or list(districts.select_related("parent"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opinion_new(request):
    """The general form (掌上直通车): the citizen names the place; a city picks its district."""
    districts = intake_districts()
    code = (request.POST.get("district") or request.GET.get("district") or "").strip()
    district = next((d for d in districts if d.code == code), None)
    if district is None and len(districts) == 1:
        district = districts[0]
    if district is None:
        return render(
            request,
            "opinions/public/choose_district.html",
            {"districts": districts},
            status=400 if request.method == "POST" else 200,
        )
    return _opinion_form(
        request,
        FormTarget(
            channel=Channel.ONLINE,
            district=district,
            context={"several_districts": len(districts) > 1},
            hidden={"district": district.code} if len(districts) > 1 else {},
        ),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opinion_new_station(request, public_code):
    """The form behind a station's QR code: the opinion goes to the station's deputies."""
    station = directory.station_for_form(public_code)
    return _opinion_form(
        request,
        FormTarget(
            channel=Channel.QR_STATION,
            district=intake.station_district(station),
            station=station,
            display=lambda: {
                "duty_today": directory.station_duty_today(station),
                "today": timezone.localdate(),
            },
        ),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opinion_new_deputy(request, public_code):
    """The form behind a deputy's personal QR code (一码一代表): one-to-one to that deputy."""
    deputy = directory.deputy_get(public_code, display=False)
    station = directory.deputy_main_station(deputy)

    def display() -> dict:
        directory.deputy_add_display(deputy)
        return {
            "levels": directory.levels_of(deputy),
            "duty_today": directory.station_duty_today(station) if station else [],
            "deputy_duty": directory.deputy_duty(deputy),
            "today": timezone.localdate(),
        }

    return _opinion_form(
        request,
        FormTarget(
            channel=Channel.QR_DEPUTY,
            district=intake.station_district(station) if station else deputy.district,
            station=station,
            deputy=deputy,
            display=display,
        ),
    )


# --- confirmation ------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """Pages naming a tracking code: never cached, never sent off-site as a referrer, not
    indexed."""
    add_never_cache_headers(response)
    # same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the
    # rating form's POST, and Django's CSRF check refuses it (403). Other sites still never
    # see the URL with the code.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found(request) -> HttpResponse:
    # One page for a wrong code, a guessed one and a malformed one: nothing tells them apart.
    return _private(
        render(request, "opinions/public/not_found.html", {"form": TrackForm()}, status=404)
    )


def submission_key_from_token(token: str) -> str | None:
    """The form key a confirmation URL's token carries, or None if it is not a valid one."""
    try:
        key = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and key else None


@require_safe
def submitted(request, token: str):
    key = submission_key_from_token(token)
    opinion = (
        Opinion.objects.select_related("station", "deputy").filter(submission_key=key).first()
        if key is not None
        else None
    )
    if opinion is None:
        return _not_found(request)
    view = submitter_view(opinion)
    # Chose, on the form, to follow an open opinion about the same matter.
    followed = (
        duplicates.masked(opinion.merged_into.subject)
        if opinion.status == Status.MERGED and opinion.merged_into_id
        else ""
    )
    return _private(
        render(
            request,
            "opinions/public/submitted.html",
            {
                "opinion": opinion,
                "followed": followed,
                "rating_key": rating_key(opinion.tracking_code),
                "code_sent": message_sent_about(opinion),
                "message_to": view["phone"] if opinion.submitter_phone else view["email"],
                "message_channel": "sms" if opinion.submitter_phone else "email",
            },
        )
    )


# --- the submitter's pages, by tracking code -------------------------------------------


def _lookup(request, code: str) -> Opinion | HttpResponse:
    """The opinion with this code, or the response to give instead (404, or 429 when the
    address has missed too often: that is what guessing codes looks like)."""
    address = ratelimit.client_address(request)
    if ratelimit.exceeded("lookup_ip", address):
        rate = ratelimit.rate_for("lookup_ip")
        response = render(
            request,
            "opinions/public/too_many_lookups.html",
            {"minutes": rate.minutes},
            status=429,
        )
        response["Retry-After"] = str(rate.window)
        return _private(response)
    try:
        return access_opinion_by_code(code)
    except Http404:
        ratelimit.hit("lookup_ip", address)
        return _not_found(request)


def _canonical_redirect(code: str, name: str):
    """Send "k7qx 9mpa 3r" to the page of "K7QX-9MPA-3R" (None if already canonical)."""
    canonical = normalize_code(code)
    if canonical is not None and canonical != code:
        return redirect(name, code=canonical)
    return None


@require_safe
def track(request):
    """Enter a tracking code (a GET form, so it works from a bookmark or a text message)."""
    form = TrackForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("opinions_public:detail", code=form.cleaned_data["code"])
    status = 400 if form.is_bound else 200
    return _private(render(request, "opinions/public/track.html", {"form": form}, status=status))


def _public_replies(opinion: Opinion) -> list:
    return list(
        opinion.replies.filter(sent_at__isnull=False)
        .select_related("rating")
        .order_by("sent_at", "id")
    )


def _step_label(entry, *, own: bool = True) -> str:
    # What the step means to the submitter, or to another follower of the same case.
    known = vocabulary.verb(entry.verb)
    label = None
    if known is not None:
        label = (known.public if own else known.public_others) or known.public
    if label is None and entry.to_state in Status.values:
        label = Status(entry.to_state).label
    return label or _("办理进展")


def _progress(opinion: Opinion, *, own: bool = True) -> dict:
    """What a submitter may see of an opinion's progress: steps (with labels) and replies.

    `own=False` is another submitter's view (a merged duplicate following its main
    opinion): the steps only, without a note or the reply, which were written to or by the
    main opinion's submitter and may name them.
    """
    timeline = opinion_timeline(opinion, for_submitter=True)
    if not own:
        timeline = [replace(entry, note="", data={}) for entry in timeline]
    return {
        "timeline": [(entry, _step_label(entry, own=own)) for entry in timeline],
        "replies": _public_replies(opinion),
    }


def _main_of(opinion: Opinion) -> Opinion | None:
    main, hops = opinion.merged_into, 0
    while main is not None and main.merged_into_id and hops < MAX_MERGE_HOPS:
        main, hops = main.merged_into, hops + 1
    return main


@require_safe
def detail(request, code: str):
    """The submitter's page: status, public timeline, the reply sent, the rating form."""
    canonical = _canonical_redirect(code, "opinions_public:detail")
    if canonical is not None:
        return canonical
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    opinion = found
    can_rate = lifecycle.can_rate(opinion) and reply_to_rate(opinion) is not None
    return _private(
        render(
            request,
            "opinions/public/detail.html",
            {
                "opinion": opinion,
                "submitter": submitter_view(opinion),
                "merged": opinion.status == Status.MERGED and opinion.merged_into_id,
                "can_rate": can_rate,
                "rating_form": RatingForm(returned=opinion.returned_for_rework)
                if can_rate
                else None,
                **_progress(opinion),
            },
        )
    )


def _rating_key_accepted(request, opinion: Opinion, form: RatingForm) -> bool:
    """Whether the form carries the opinion's rating key (评价码).

    A wrong key counts like a wrong tracking code (the lookup limit), so the key cannot be
    guessed any faster than a code; past the limit even the right key is refused for a while.
    """
    address = ratelimit.client_address(request)
    if ratelimit.exceeded("lookup_ip", address):
        form.throttled = True
        form.add_error(None, _("尝试次数过多，请稍后再试。"))
        return False
    if rating_key_matches(opinion.tracking_code, form.cleaned_data["rating_key"]):
        return True
    ratelimit.hit("lookup_ip", address)
    form.add_error(
        "rating_key",
        _("评价码不正确。评价码在提交成功的页面上，也随查询码通过短信或邮件发给了您。"),
    )
    return False


def _rated_message(status: str) -> str:
    """What the submitter is told once their rating is in: what became of the opinion
    (lifecycle.rating_target: closed; sent back once; closed as not satisfied after that)."""
    if status == Status.CLOSED_UNSATISFIED:
        return _("感谢您的评价！这件意见已重新办理过一次，现按“不满意”办结，不再退回。")
    if status in (Status.HANDLING, Status.ACCEPTED):
        return _("感谢您的评价！意见已退回重新办理，新的办理结果会再反馈给您。")
    return _("感谢您的评价！意见已办结。")


@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, code: str):
    """满意 / 基本满意 / 不满意 with a comment, by the tracking code; only once a reply is sent."""
    canonical = _canonical_redirect(code, "opinions_public:rate")
    if canonical is not None:
        return canonical
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    opinion = found
    can_rate = lifecycle.can_rate(opinion) and reply_to_rate(opinion) is not None
    form = RatingForm(request.POST or None, returned=opinion.returned_for_rework)
    status = 200
    if request.method == "POST":
        if not can_rate:
            status = 409
        elif form.is_valid() and not _rating_key_accepted(request, opinion, form):
            status = 429 if form.throttled else 403
        elif form.is_valid():
            try:
                rating_submit(
                    opinion=opinion,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except OpinionError as error:
                form.add_error(None, error.messages)
            else:
                opinion.refresh_from_db(fields=["status"])
                messages.success(request, _rated_message(opinion.status))
                response = redirect("opinions_public:detail", code=opinion.tracking_code)
                response.status_code = 303
                return response
        if status == 200:
            status = 400
    return _private(
        render(
            request,
            "opinions/public/rate.html",
            {
                "opinion": opinion,
                "can_rate": can_rate,
                "form": form,
                "reply": reply_to_rate(opinion) if can_rate else None,
            },
            status=status,
        )
    )


@require_safe
def follow(request, code: str):
    """A merged opinion follows its main one: the main one's progress, by the merged code.

    The main opinion's own code is never shown, so this page cannot be used to rate it.
    """
    canonical = _canonical_redirect(code, "opinions_public:follow")
    if canonical is not None:
        return canonical
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    main = _main_of(found)
    if main is None:
        return redirect("opinions_public:detail", code=found.tracking_code)
    return _private(
        render(
            request,
            "opinions/public/follow.html",
            {"opinion": found, "main": main, **_progress(main, own=False)},
        )
    )
