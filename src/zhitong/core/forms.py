"""What every app's forms share: one way of rendering a field for Bootstrap, and the one
field for several files uploaded at once.

Every form of the project is rendered by `BootstrapFormRenderer` (settings.FORM_RENDERER),
Django's own form rendering with two of our parts, so no form styles itself:

- `BootstrapBoundField` gives each widget its Bootstrap class (`form-control`,
  `form-select`, `form-check-input`; a class set on the widget is kept beside it) and
  `is-invalid` when the field has errors; Django adds `aria-invalid` and links the help
  text and the errors with `aria-describedby` to the ids `id_<name>_helptext` and
  `id_<name>_error`.
- `core/forms/field.html` (the renderer's field template, `{{ field.as_field_group }}`)
  writes the label (with the required mark), the control, the errors and the help text
  under those ids; a group of radios or checkboxes is a fieldset with a legend.
  `core/forms/form.html` (`{{ form }}`) writes the form's own errors and every field.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext_lazy as _

_CHECKS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def bootstrap_css_class(widget: forms.Widget) -> str | None:
    """The Bootstrap class a widget takes (for a group of radios or checkboxes, each of its
    inputs); None for hidden inputs."""
    if widget.is_hidden:
        return None
    if isinstance(widget, _CHECKS):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def _words(*values: str | None) -> list[str]:
    """The space-separated words of `values`, each once, in order."""
    seen: list[str] = []
    for value in values:
        for word in (value or "").split():
            if word not in seen:
                seen.append(word)
    return seen


class BootstrapBoundField(forms.BoundField):
    """A field as every form of the project renders it (see the module's docstring)."""

    @property
    def aria_describedby(self):
        """The ids that describe the control: any the widget names itself, then its help
        text and its errors (Django's ids); None when there are none."""
        own = self.field.widget.attrs.get("aria-describedby")
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
        return " ".join(_words(own, *ids)) or None

    @property
    def marked_label(self):
        """The label, with the required mark (seen, and said to screen readers)."""
        if not self.field.required:
            return conditional_escape(self.label)
        return format_html(
            '{} <span class="text-danger" aria-hidden="true">*</span>'
            '<span class="visually-hidden">{}</span>',
            self.label,
            _("（必填）"),
        )

    @property
    def use_fieldset(self):
        """A group of choices is a fieldset with a legend; a file input is not (Django's
        clearable input is, for its "clear" box, which these forms never show)."""
        widget = self.field.widget
        return widget.use_fieldset and not isinstance(widget, forms.ClearableFileInput)

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        css = bootstrap_css_class(widget)
        if css is not None:
            invalid = "is-invalid" if self.errors else None
            attrs["class"] = " ".join(
                _words(css, widget.attrs.get("class"), attrs.get("class"), invalid)
            )
        # Each input of a group is described like the group's fieldset (Django links only
        # the fieldset, which not every screen reader reads out).
        describedby = self.aria_describedby
        if self.use_fieldset and describedby and not attrs.get("aria-describedby"):
            attrs["aria-describedby"] = describedby
        return attrs


class BootstrapFormRenderer(DjangoTemplates):
    """Django's form renderer, with the project's field and form templates and bound field."""

    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
    bound_field_class = BootstrapBoundField


class MultipleFileInput(forms.ClearableFileInput):
    """<input type="file" multiple>: the browser sends every chosen file under one name."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern), with its bounds: at most
    `max_count` files, each at most `max_size` bytes. Cleans to a list, empty when nothing
    was chosen; every file too large is reported, not only the first. What the files hold
    (a real photo, a PDF) is checked by the form or the service, which know what they want.

    `accept` is the browser's hint ("image/jpeg,image/png"), never a check. The messages
    "too_many" (with limit, count) and "too_large" (with name, size, limit in MB) can be
    replaced through `error_messages` to speak of photos rather than files.
    """

    widget = MultipleFileInput
    default_error_messages = {
        "too_many": _("最多上传 %(limit)d 个文件，您选择了 %(count)d 个。"),
        "too_large": _("“%(name)s”过大（%(size).1f MB），每个文件不能超过 %(limit)d MB。"),
    }

    def __init__(self, *, max_count: int, max_size: int, accept: str = "", **kwargs):
        self.max_count = max_count
        self.max_size = max_size
        super().__init__(**kwargs)
        if accept:
            self.widget.attrs["accept"] = accept

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_count:
            raise ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"limit": self.max_count, "count": len(files)},
            )
        cleaned, errors = [], []
        for upload in files:
            try:
                upload = super().clean(upload, initial)
            except ValidationError as error:
                errors.extend(error.error_list)
                continue
            size = getattr(upload, "size", 0) or 0
            if size > self.max_size:
                errors.append(
                    ValidationError(
                        self.error_messages["too_large"],
                        code="too_large",
                        params={
                            "name": upload.name,
                            "size": size / (1024 * 1024),
                            "limit": self.max_size // (1024 * 1024),
                        },
                    )
                )
                continue
            cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned
