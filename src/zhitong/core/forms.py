"""What every app's forms share: Bootstrap classes on widgets, decided in one place."""

from django import forms


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
