"""Forms for entering an opinion: the public form (扫码/网上反映) and the fields it shares
with the work-side record and batch forms."""

from __future__ import annotations

import threading
import time

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.translation import gettext_lazy as _

from zhitong.core.forms import MultipleFileField
from zhitong.handling.models import GIVEN_SCORE_CHOICES, Rating
from zhitong.opinions import intake
from zhitong.opinions.uploads import MAX_PHOTO_BYTES, MAX_PHOTOS, check_photos
from zhitong.regions.models import Region, RegionLevel
from zhitong.units.models import Category

NO_CATEGORY = _("不确定（由工作人员确定）")


def category_choices() -> tuple[list, dict[str, Category]]:
    """The two-level taxonomy as a grouped select: top-level subjects as groups.

    A top-level subject without children is an option of its own. Returns the choices
    and the categories by their option value.
    """
    categories = list(
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )
    by_value = {str(c.pk): c for c in categories}
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices: list = [("", NO_CATEGORY)]
    for top in categories:
        if top.parent_id:
            continue
        if top.pk in children:
            choices.append(
                (
                    top.name,
                    [(str(top.pk), _("%(name)s（其他）") % {"name": top.name})]
                    + [(str(c.pk), c.name) for c in children[top.pk]],
                )
            )
        else:
            choices.append((str(top.pk), top.name))
    return choices, by_value


def place_choices(places) -> tuple[list, dict[str, Region]]:
    """Streets and their communities as a grouped select, from a queryset or list of regions.

    Each street is a group; its first option is the street itself, for a matter that
    concerns the whole street or an unknown community.
    """
    regions = sorted(places, key=lambda r: r.path)
    by_value = {str(r.pk): r for r in regions}
    streets = [r for r in regions if r.level == RegionLevel.STREET]
    communities: dict[int, list[Region]] = {}
    for region in regions:
        if region.level == RegionLevel.COMMUNITY:
            communities.setdefault(region.parent_id, []).append(region)
    choices: list = [("", _("请选择"))]
    for street in streets:
        options = [(str(street.pk), _("%(street)s（不确定社区）") % {"street": street.name})]
        options += [(str(c.pk), c.name) for c in communities.get(street.pk, [])]
        choices.append((street.name, options))
    return choices, by_value


def district_places(district: Region) -> list[Region]:
    return list(
        Region.objects.subtree(district)
        .filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])
        .order_by("path")
    )


# --- choice lists kept between requests --------------------------------------------------
#
# The public form offers the same category tree and the same streets and communities on
# every request, and they change a few times a year. Each process keeps the built choices
# (with the objects behind them) for CHOICES_TTL seconds, tagged with a version number kept
# in Django's cache; saving or deleting a region or a category bumps that version, so with
# a shared cache (Redis) every process rebuilds on its next request. The TTL bounds how
# long a process can miss a change made without signals (bulk_create, raw SQL) or made
# by another process over a per-process cache (local memory).

CHOICES_TTL = 60
CHOICES_VERSION_KEY = "zt:opinion-form:choices-version"
_choices_memo: dict[tuple, tuple[float, int, tuple]] = {}
_choices_lock = threading.Lock()


def _choices_version() -> int:
    return cache.get(CHOICES_VERSION_KEY) or 0


def choices_changed(**_kwargs) -> None:
    """Forget the kept choice lists, here at once and, through the cache, in every process."""
    with _choices_lock:
        _choices_memo.clear()
    try:
        cache.incr(CHOICES_VERSION_KEY)
    except ValueError:
        cache.add(CHOICES_VERSION_KEY, 1, timeout=None)


def _choices_changed_on_save(**kwargs) -> None:
    choices_changed()
    # Bumped again once the change is visible to others: a process that rebuilt between the
    # first bump and the commit kept the old rows.
    transaction.on_commit(choices_changed)


for _model in (Region, Category):
    post_save.connect(_choices_changed_on_save, sender=_model, dispatch_uid=f"zt-choices-{_model}")
    post_delete.connect(
        _choices_changed_on_save, sender=_model, dispatch_uid=f"zt-choices-del-{_model}"
    )


def _kept(key: tuple, build):
    """`build()`, or what it returned for `key` in this process under the current version."""
    version = _choices_version()
    # Labels are translated when built: one entry per language.
    key = (*key, translation.get_language())
    now = time.monotonic()
    entry = _choices_memo.get(key)
    if entry is not None and entry[0] > now and entry[1] == version:
        return entry[2]
    value = build()
    with _choices_lock:
        _choices_memo[key] = (now + CHOICES_TTL, version, value)
    return value


class KeptChoices(BaseChoiceIterator):
    """Choices normalized once when built. A field normalizes plain lists again each time
    they are set, which for a district's hundreds of communities costs more than the rest
    of the form; an iterator is taken as it is."""

    def __init__(self, choices):
        self.choices = normalize_choices(choices)

    def __iter__(self):
        return iter(self.choices)


def _kept_choices(build) -> tuple[KeptChoices, dict]:
    choices, by_value = build()
    return KeptChoices(choices), by_value


def public_category_choices() -> tuple[KeptChoices, dict[str, Category]]:
    """category_choices(), kept between requests (see CHOICES_TTL)."""
    return _kept(("categories",), lambda: _kept_choices(category_choices))


def public_place_choices(district: Region) -> tuple[KeptChoices, dict[str, Region]]:
    """place_choices() of the district's streets and communities, kept between requests."""
    return _kept(
        ("places", district.pk, district.path),
        lambda: _kept_choices(lambda: place_choices(district_places(district))),
    )


# What a submitter tells, as the services take it (and as a check for similar opinions keeps
# it in the form it shows again).
OPINION_FIELDS = (
    "subject",
    "content",
    "category",
    "place",
    "address",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
)


class OpinionFieldsForm(forms.Form):
    """What a submitter tells: subject, content, category, place, contacts."""

    subject = forms.CharField(
        label=_("标题"),
        max_length=intake.SUBJECT_LIMIT,
        error_messages={
            "required": _("请填写标题。"),
            "max_length": _("标题不能超过 %(limit_value)d 个字（现有 %(show_value)d 个字）。"),
        },
        widget=forms.TextInput(attrs={"placeholder": _("一句话说明问题，如：小区路灯不亮")}),
    )
    content = forms.CharField(
        label=_("内容"),
        max_length=intake.CONTENT_LIMIT,
        help_text=_("请写清楚问题、地点和您的建议，不超过 5000 字。"),
        error_messages={
            "required": _("请填写意见建议的内容。"),
            "max_length": _("内容不能超过 %(limit_value)d 个字（现有 %(show_value)d 个字）。"),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(label=_("类别（选填）"), required=False)
    place = forms.ChoiceField(
        label=_("所在社区"),
        error_messages={"required": _("请选择所在社区（用于交给相应街道办理）。")},
    )
    address = forms.CharField(
        label=_("详细地点（选填）"),
        max_length=intake.ADDRESS_LIMIT,
        required=False,
        error_messages={"max_length": _("详细地点不能超过 %(limit_value)d 个字。")},
        widget=forms.TextInput(attrs={"placeholder": _("如：中南路12号小区东门")}),
    )
    submitter_name = forms.CharField(
        label=_("姓名（选填）"),
        max_length=intake.NAME_LIMIT,
        required=False,
        error_messages={"max_length": _("姓名不能超过 %(limit_value)d 个字。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    submitter_phone = forms.CharField(
        label=_("手机号码（选填）"),
        max_length=40,
        required=False,
        help_text=_("填写后，我们会把查询码和办理结果发到这个号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    submitter_email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        required=False,
        error_messages={"invalid": _("电子邮箱格式不正确，如 name@example.com。")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Whether a landline is accepted (staff record a visitor's home phone; the public
    # form asks for a mobile, the number messages go to).
    mobile_only = True

    def __init__(
        self,
        *args,
        places=None,
        place_options=None,
        place_required=True,
        categories=None,
        **kwargs,
    ):
        """`places`: the regions to offer; or `place_options`: their place_choices(), built
        already (the public form keeps them between requests)."""
        super().__init__(*args, **kwargs)
        category_list, self._categories = categories or public_category_choices()
        self.fields["category"].choices = category_list
        place_list, self._places = place_options or place_choices(places or [])
        self.fields["place"].choices = place_list
        self.fields["place"].required = place_required
        if not place_required:
            self.fields["place"].label = _("所在社区（选填）")

    def clean_category(self):
        value = self.cleaned_data.get("category")
        return self._categories.get(value) if value else None

    def clean_place(self):
        value = self.cleaned_data.get("place")
        return self._places.get(value) if value else None

    def place_for(self, value: str) -> Region | None:
        """The place a submitted choice names (None for none, or one not offered)."""
        return self._places.get(value) if value else None

    def clean_submitter_phone(self):
        value = self.cleaned_data.get("submitter_phone", "").strip()
        if not value:
            return ""
        phone = intake.normalize_phone(value, mobile_only=self.mobile_only)
        if phone is None:
            raise ValidationError(
                _("请填写11位手机号码，如 13912345678。")
                if self.mobile_only
                else _("请填写11位手机号码或带区号的固定电话，如 027-88886666。")
            )
        return phone

    def opinion_data(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in OPINION_FIELDS}

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class PhotosMixin(forms.Form):
    photos = MultipleFileField(
        label=_("照片（选填）"),
        required=False,
        max_count=MAX_PHOTOS,
        max_size=MAX_PHOTO_BYTES,
        accept="image/jpeg,image/png,image/webp",
        help_text=_("最多 %(count)d 张，JPEG、PNG 或 WebP 格式，每张不超过 %(mb)d MB。")
        % {"count": MAX_PHOTOS, "mb": MAX_PHOTO_BYTES // (1024 * 1024)},
        error_messages={
            "too_many": _("最多上传 %(limit)d 张照片，您选择了 %(count)d 张。"),
            "too_large": _("“%(name)s”：照片过大（%(size).1f MB），每张不能超过 %(limit)d MB。"),
        },
    )

    def clean_photos(self):
        # Decoded and re-encoded here once; the service accepts the cleaned photos as they are.
        return check_photos(self.cleaned_data.get("photos") or [])


class PublicOpinionForm(PhotosMixin, OpinionFieldsForm):
    """The public form at the QR-code paths and /opinions/new/; works without JavaScript."""

    field_order = [
        "subject",
        "content",
        "category",
        "place",
        "address",
        "photos",
        "submitter_name",
        "submitter_phone",
        "submitter_email",
    ]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        error_messages={"required": _("请输入查询码。")},
        help_text=_("提交意见后得到的10位查询码，如 K7QX-9MPA-3R；不区分大小写。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        from zhitong.opinions.tracking import normalize_code

        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(
                _("查询码格式不对：应为10位字母和数字，如 K7QX-9MPA-3R（不含 0、O、1、I、L）。")
            )
        return code


class RatingForm(forms.Form):
    # Only the submitter has it: the tracking code alone, which handlers see, cannot rate.
    rating_key = forms.CharField(
        label=_("评价码"),
        max_length=40,
        help_text=_("8 位，在提交成功的页面上，也随查询码通过短信或邮件发给了您。"),
        error_messages={"required": _("请输入评价码。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    score = forms.ChoiceField(
        label=_("您对办理结果满意吗？"),
        choices=GIVEN_SCORE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        max_length=2000,
        help_text=_("选择“不满意”时请写明原因，意见将退回承办单位重新办理（仅一次）。"),
        error_messages={"max_length": _("评价意见不能超过 %(limit_value)d 个字。")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, returned: int = 0, **kwargs):
        """`returned`: how many times an unsatisfied rating sent the opinion back already
        (Opinion.returned_for_rework). After once, "unsatisfied" closes it
        (lifecycle.rating_target), and the form says so."""
        super().__init__(*args, **kwargs)
        self.throttled = False
        self.closes_if_unsatisfied = returned >= 1
        if self.closes_if_unsatisfied:
            self.fields["comment"].help_text = _(
                "这件意见已按您上次的评价退回重新办理过一次。这次选择“不满意”，意见将按"
                "“不满意”办结，不再退回；请写明原因。"
            )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("score") == Rating.Score.UNSATISFIED
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error(
                "comment",
                _("请说明不满意的原因。")
                if self.closes_if_unsatisfied
                else _("请说明不满意的原因，以便承办单位重新办理。"),
            )
        return cleaned
