"""Every form of the project is rendered one way (zhitong.core.forms): each visible field
has the Bootstrap class of its widget, a label or legend, and, bound with invalid data,
`is-invalid`, `aria-invalid` and `aria-describedby` naming its error and its help text,
which are rendered under those ids."""

import importlib
import inspect
import pkgutil
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

import zhitong
from zhitong.core.forms import BootstrapBoundField, BootstrapFormRenderer
from zhitong.core.roles import Role
from zhitong.testing import factories as f

JUNK = "not valid"


def _project_modules():
    for info in pkgutil.walk_packages(zhitong.__path__, "zhitong."):
        parts = info.name.split(".")
        if {"tests", "migrations", "management", "testing"} & set(parts):
            continue
        if info.name in {"zhitong.settings", "zhitong.settings_test", "zhitong.wsgi"}:
            continue
        yield importlib.import_module(info.name)


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every concrete form class defined in the project's modules (tests left out)."""
    found = {}
    for module in _project_modules():
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, forms.BaseForm)
                and obj.__module__ == module.__name__
                and not obj.__name__.startswith("_")
                and not obj.__name__.endswith("Mixin")
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[key] for key in sorted(found)]


@pytest.fixture
def world(db):
    district = f.make_district()
    street = f.StreetFactory(parent=district)
    community = f.CommunityFactory(parent=street)
    station = f.StationFactory(region=community, street=street)
    f.StationAssignmentFactory(station=station)
    f.CategoryFactory()
    f.HandlingUnitFactory(region=district)
    user = f.UserFactory(username="forms-admin", role=Role.ADMIN, region=district)
    user.is_superuser = True
    user.save()
    return {"district": district, "street": street, "station": station, "user": user}


def _arguments(form_class, world) -> dict:
    """The keyword arguments each form's constructor asks for."""
    from zhitong.opinions.forms_intake import recording_context
    from zhitong.opinions.models import Opinion
    from zhitong.regions.models import Region

    user = world["user"]
    params = inspect.signature(form_class.__init__).parameters
    known = {
        "user": user,
        "streets": [world["street"]],
        "context": recording_context(user),
        "districts": [world["district"]],
        "opinions": Opinion.objects.all(),
        "visible": Opinion.objects.all(),
        "places": [world["street"]],
        "station": world["station"],
        "regions": Region.objects.all(),
        "district": world["district"],
        "awaiting": _suggestions().objects.all(),
    }
    if "suggestion" in params:
        known["suggestion"] = _suggestions().objects.create(
            title="建议",
            lead_deputy=f.DeputyFactory(district=world["district"]),
            district=world["district"],
            created_by=user,
        )
    return {name: value for name, value in known.items() if name in params}


def _suggestions():
    from zhitong.suggestions.models import Suggestion

    return Suggestion


def _forms_to_check(world):
    for form_class in project_form_classes():
        if issubclass(form_class, SetPasswordForm):
            yield form_class, {"user": world["user"]}
        else:
            yield form_class, _arguments(form_class, world)
    # Django's own forms that the project shows as they are.
    yield PasswordChangeForm, {"user": world["user"]}
    yield SetPasswordForm, {"user": world["user"]}


def _build(form_class, kwargs, data=None, files=None):
    if issubclass(form_class, SetPasswordForm):  # PasswordChangeForm too: the user first
        return form_class(kwargs["user"], data, files)
    if data is None:
        return form_class(**kwargs)
    return form_class(data, files, **kwargs)


def _invalid_data(form) -> tuple[dict, MultiValueDict]:
    """What each field refuses: text too long (or none, for a required field), a value that
    is not a choice, a date or a number, and an empty file for every file field."""
    data, files = {}, MultiValueDict()
    for field in form:
        if isinstance(field.field, forms.FileField):
            files.setlistdefault(field.html_name, []).append(SimpleUploadedFile("x.xlsx", b""))
        elif isinstance(field.field.widget, forms.CheckboxInput):
            continue
        elif type(field.field) in (forms.CharField, forms.RegexField):
            limit = field.field.max_length
            data[field.html_name] = "长" * (limit + 1) if limit else ""
        elif isinstance(field.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[field.html_name] = [JUNK]
        else:
            data[field.html_name] = JUNK
    return data, files


class Elements(HTMLParser):
    """The start tags of a piece of HTML, by id, with their attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def by_id(self, element_id: str) -> tuple[str, dict] | None:
        return next(((t, a) for t, a in self.tags if a.get("id") == element_id), None)

    def inputs_named(self, name: str) -> list[dict]:
        return [a for t, a in self.tags if t == "input" and a.get("name") == name]

    def with_tag(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def expected_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # SelectMultiple too
        return "form-select"
    return "form-control"


def _controls(field, html: Elements) -> list[dict]:
    """The inputs a field is entered in: each option of a group, else the one control."""
    if field.widget_type in {"radioselect", "checkboxselectmultiple"}:
        return html.inputs_named(field.html_name)
    found = html.by_id(field.id_for_label)
    assert found is not None, f"{field.html_name}: no control with id {field.id_for_label}"
    return [found[1]]


def check_field(form, field, *, invalid: bool) -> None:
    where = f"{type(form).__name__}.{field.name}"
    html = Elements(field.as_field_group())
    controls = _controls(field, html)
    assert controls, where
    css = expected_class(field.field.widget)
    for control in controls:
        classes = control.get("class", "").split()
        assert css in classes, (where, control)
        assert ("is-invalid" in classes) is invalid, (where, control)
        assert (control.get("aria-invalid") == "true") is invalid, (where, control)
    # Labelled: a label for the control, or a legend for a group.
    if field.use_fieldset:
        assert html.with_tag("fieldset") and html.with_tag("legend"), where
        described = html.with_tag("fieldset")[0].get("aria-describedby", "").split()
    else:
        labels = [a for a in html.with_tag("label") if a.get("for") == field.id_for_label]
        assert labels, where
        described = controls[0].get("aria-describedby", "").split()
    # Errors and help, rendered under the ids the control names.
    error_id, help_id = f"{field.auto_id}_error", f"{field.auto_id}_helptext"
    assert (error_id in described) is invalid, (where, described)
    assert (html.by_id(error_id) is not None) is invalid, where
    if invalid:
        assert "invalid-feedback" in html.by_id(error_id)[1]["class"], where
    if field.help_text:
        assert help_id in described, (where, described)
        assert html.by_id(help_id) is not None, where
    else:
        assert help_id not in described and html.by_id(help_id) is None, where
    for control in controls[1:]:
        assert control.get("aria-describedby", "").split() == described, where


def test_every_form_of_the_project_is_found():
    classes = project_form_classes()
    names = {cls.__name__ for cls in classes}
    # A sample from each app that has forms, so the walk cannot quietly find nothing.
    assert {
        "AccessFilterForm",
        "LoginForm",
        "NotifyModeForm",
        "UploadForm",
        "StationFilterForm",
        "DeputyFilterForm",
        "PublicOpinionForm",
        "RecordForm",
        "QueueFilterForm",
        "CalendarYearForm",
    } <= names
    assert len(classes) >= 34


def test_the_project_renders_forms_with_its_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "zhitong.core.forms.BootstrapFormRenderer"
    assert isinstance(get_default_renderer(), BootstrapFormRenderer)


def test_every_field_of_every_form_unbound_has_its_class_label_and_help(world):
    for form_class, kwargs in _forms_to_check(world):
        form = _build(form_class, kwargs)
        assert isinstance(form[next(iter(form.fields))], BootstrapBoundField)
        for field in form.visible_fields():
            check_field(form, field, invalid=False)


def test_every_field_of_every_form_bound_with_invalid_data_links_its_error(world):
    for form_class, kwargs in _forms_to_check(world):
        data, files = _invalid_data(_build(form_class, kwargs))
        form = _build(form_class, kwargs, data, files)
        assert not form.is_valid(), form_class
        for field in form.visible_fields():
            if not field.errors:
                # A value no field could refuse (an optional file, a checkbox): the error a
                # form's clean() or a service would add.
                form.add_error(field.name, "无效。")
            check_field(form, field, invalid=True)


def test_widget_attributes_are_kept_beside_the_bootstrap_class(world):
    from zhitong.opinions.forms_public import PublicOpinionForm

    form = PublicOpinionForm({"submitter_phone": "1"}, place_options=([("", "-")], {}))
    phone = Elements(str(form["submitter_phone"])).by_id("id_submitter_phone")[1]
    assert phone["autocomplete"] == "tel" and phone["inputmode"] == "tel"
    assert phone["type"] == "tel" and phone["maxlength"] == "40"
    assert phone["class"].split() == ["form-control", "is-invalid"]
    photos = Elements(str(form["photos"])).by_id("id_photos")[1]
    assert photos["accept"] == "image/jpeg,image/png,image/webp" and "multiple" in photos


def test_an_own_class_and_an_own_description_are_kept():
    class Form(forms.Form):
        code = forms.CharField(
            help_text="帮助",
            widget=forms.TextInput(
                attrs={"class": "font-monospace", "aria-describedby": "elsewhere"}
            ),
        )

    field = Form({"code": ""})["code"]
    control = Elements(str(field)).by_id("id_code")[1]
    assert control["class"].split() == ["form-control", "font-monospace", "is-invalid"]
    assert control["aria-describedby"].split() == ["elsewhere", "id_code_helptext", "id_code_error"]


def test_the_whole_form_template_shows_the_form_errors_and_every_field():
    class Form(forms.Form):
        name = forms.CharField(label="姓名")
        token = forms.CharField(widget=forms.HiddenInput)

        def clean(self):
            raise forms.ValidationError("整个表单的错误。")

    html = str(Form({"name": "", "token": "t"}))
    assert 'class="alert alert-danger" role="alert"' in html and "整个表单的错误。" in html
    assert 'for="id_name"' in html and 'id="id_name_error"' in html
    assert '<input type="hidden" name="token" value="t" id="id_token">' in html
