"""What every app's forms share: Bootstrap classes on widgets, decided in one place, and
the one field for several files uploaded at once."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def bootstrap_css_class(widget: forms.Widget) -> str | None:
    """The Bootstrap class a widget takes; None for radio and checkbox groups, which are
    rendered as lists of their own inputs."""
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return None
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget of `form` its Bootstrap class (an explicit class is kept)."""
    for field in form.fields.values():
        css = bootstrap_css_class(field.widget)
        if css:
            field.widget.attrs.setdefault("class", css)


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
