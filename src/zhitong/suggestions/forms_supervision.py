"""Forms of the supervision (督) and quality review (评) pages of suggestions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region
from zhitong.suggestions.models import NOTE_LIMIT, QualityReview
from zhitong.suggestions.services_supervision import ACTIVITY_KINDS, ASPECTS
from zhitong.units.models import Category

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class _UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ActivityForm(forms.Form):
    """领衔督办: a supervision activity held on a key suggestion."""

    kind = forms.ChoiceField(
        label=_("督办方式"),
        choices=[(k.value, k.label) for k in ACTIVITY_KINDS],
    )
    held_on = forms.DateField(label=_("督办日期"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("督办情况"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("督办座谈、实地察看的时间地点、参加人员和督办意见。"),
    )


class ReceptionDayForm(forms.Form):
    """A reception day to plan (主任接待日)."""

    district = forms.ModelChoiceField(label=_("所属区"), queryset=None, empty_label=None)
    held_on = forms.DateField(label=_("接待日期"), widget=DATE_INPUT)
    director = _UserChoice(label=_("接待领导"), queryset=None, empty_label=_("请选择"))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)

    def __init__(self, *args, districts=(), leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        districts = list(districts)
        self.fields["district"].queryset = Region.objects.filter(
            pk__in=[d.pk for d in districts]
        ).order_by("code")
        self.fields["director"].queryset = (
            leaders if leaders is not None else get_user_model().objects.none()
        )
        if len(districts) == 1:
            self.fields["district"].widget = forms.HiddenInput()
            self.fields["district"].initial = districts[0].pk


class ItemAddForm(forms.Form):
    """A suggestion added to the agenda by staff: chosen from the district's candidates, but
    posted as an id and checked by the service, which says why one is refused."""

    suggestion = forms.IntegerField(label=_("建议"), min_value=1)
    reason = forms.CharField(label=_("列入理由"), max_length=100, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggestion"].widget = forms.Select(
            choices=[
                ("", _("请选择要列入议程的建议")),
                *[
                    (s.pk, f"{s.reference} {s.title}" if s.reference else s.title)
                    for s in candidates
                ],
            ]
        )


class ItemMoveForm(forms.Form):
    position = forms.IntegerField(label=_("调整到第几位"), min_value=1, max_value=99)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("现场督办情况"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommitteeForm(forms.Form):
    """A committee (专工委): its name, the categories it follows and its staff."""

    name = forms.CharField(label=_("名称"), max_length=100)
    categories = forms.ModelMultipleChoiceField(
        label=_("对口类别"),
        queryset=Category.objects.filter(is_active=True).order_by("code", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("选中的类别及其下级类别的建议都列入对口建议。"),
    )
    members = _UserChoices(
        label=_("工作人员"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("本区人大常委会的工作人员，可多选（按住Ctrl键点选）。"),
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            staff if staff is not None else get_user_model().objects.none()
        )


GRADE_CHOICES = [("", _("请选择")), *QualityReview.Grade.choices]


class QualityReviewForm(forms.Form):
    """质量评审: one round's grades and comments (the problems are a formset apart)."""

    round = forms.TypedChoiceField(
        label=_("评审轮次"), coerce=int, choices=QualityReview.Round.choices
    )
    compliance = forms.ChoiceField(label=_("合规"), choices=GRADE_CHOICES)
    writing = forms.ChoiceField(label=_("文书"), choices=GRADE_CHOICES)
    effect = forms.ChoiceField(label=_("效果"), choices=GRADE_CHOICES)
    comment = forms.CharField(
        label=_("评审意见"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, rounds=(1, 2), **kwargs):
        super().__init__(*args, **kwargs)
        # The rounds open now are offered; any round is accepted here, and the service says
        # why one is not open (done already, commitments not yet due).
        self.fields["round"].widget.choices = [
            (value, label) for value, label in QualityReview.Round.choices if value in rounds
        ]


class ProblemForm(forms.Form):
    """One problem found (质量评审反馈问题清单): for a unit of the suggestion."""

    unit = forms.TypedChoiceField(label=_("承办单位"), coerce=int, required=False, choices=())
    aspect = forms.ChoiceField(
        label=_("方面"), required=False, choices=[("", _("请选择")), *ASPECTS.items()]
    )
    text = forms.CharField(
        label=_("问题"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择")), *[(u.pk, u.name) for u in units]]

    def clean(self):
        data = super().clean()
        filled = [bool(data.get(key)) for key in ("unit", "aspect", "text")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("请填写问题的承办单位、方面和内容，或全部留空。"))
        return data


class BaseProblemFormSet(forms.BaseFormSet):
    def __init__(self, *args, units=(), **kwargs):
        self.units = list(units)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"units": self.units}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            units=self.units,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


ProblemFormSet = forms.formset_factory(
    ProblemForm, formset=BaseProblemFormSet, extra=3, max_num=20, validate_max=True
)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("整改情况"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
