"""One event vocabulary: every verb written is registered once, with what each page shows;
admin edits of structure data are events too."""

import pytest
from django.core.management import call_command
from django.db import models, transaction

from zhitong.core import vocabulary
from zhitong.core.events import EventRow, event_record, events_record_bulk
from zhitong.core.models import Event
from zhitong.testing import factories as f


class Sample(models.TextChoices):
    ONE = "sample_one", "样例"


def test_every_verb_the_demo_writes_is_registered_with_a_label(db):
    call_command("seed_demo", verbosity=0)
    written = set(Event.objects.values_list("verb", flat=True).distinct())
    assert len(written) > 10
    assert {v for v in written if not vocabulary.is_registered(v)} == set()
    assert all(vocabulary.label(v) != v for v in written)


def test_an_unregistered_verb_is_refused_and_writes_nothing(db):
    unit = f.HandlingUnitFactory()
    with pytest.raises(ValueError, match="not registered"), transaction.atomic():
        event_record(actor=None, subject=unit, verb="refer_typo")
    with pytest.raises(ValueError, match="not registered"), transaction.atomic():
        events_record_bulk(
            [EventRow(subject=unit, verb="accept"), EventRow(subject=unit, verb="x")]
        )
    assert not Event.objects.exists()


def test_one_verb_cannot_mean_two_things():
    vocabulary.register(Sample)
    vocabulary.register(Sample)  # the same meaning again is harmless

    class Clash(models.TextChoices):
        ONE = "sample_one", "别的意思"

    with pytest.raises(ValueError, match="registered twice"):
        vocabulary.register(Clash)

    class Other(models.TextChoices):
        TWO = "sample_two", "另一个"

    with pytest.raises(ValueError, match="not in"):
        vocabulary.register(Sample, {Other.TWO: {"public": "x"}})


def test_the_bulk_writer_writes_the_rows_event_record_would(db):
    unit = f.HandlingUnitFactory()
    user = f.UserFactory(display_name="王工作")
    with transaction.atomic():
        one = event_record(actor=user, subject=unit, verb="admin_change", data={"fields": ["name"]})
        events_record_bulk(
            [EventRow(subject=unit, actor=user, verb="admin_change", data={"fields": ["name"]})]
        )
    first, second = Event.objects.order_by("id")
    fields = ("actor_id", "actor_name", "content_type_id", "object_id", "verb", "data")
    assert [getattr(first, n) for n in fields] == [getattr(second, n) for n in fields]
    assert one.pk == first.pk


def test_the_opinions_vocabulary_says_what_the_public_sees():
    shown = {v for v, known in vocabulary.registered().items() if known.shown_to_public}
    assert {"received", "refer", "reply_send", "rating_submit", "close_with_main"} <= shown
    hidden = {"update_category", "extension_request", "deadline_passed", "chase", "reassign"}
    assert not hidden & shown
    assert vocabulary.verb("rating_submit").note_public
    assert vocabulary.verb("chase").note_unit and not vocabulary.verb("accept").note_unit


def _as_posted(form, data: dict) -> None:
    """What the browser would post for `form` as rendered (its current values)."""
    from django.forms import MultiWidget

    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        widget = field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for i, part in enumerate(parts):
                data[f"{key}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        elif value is not None:
            data[key] = str(value)


def admin_form_data(page) -> dict:
    """The POST of an admin change page left as it is (the form and its inlines)."""
    data: dict = {}
    _as_posted(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        _as_posted(formset.management_form, data)
        for form in formset.forms:
            _as_posted(form, data)
    return data


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True, display_name="管理员")


def _events(obj):
    return list(
        Event.objects.for_object(obj).order_by("id").values_list("verb", "data", "actor_name")
    )


def test_admin_edits_of_structure_data_are_events(client, root):
    client.force_login(root)
    district = f.make_district()
    unit = f.HandlingUnitFactory(region=district, name="武昌区水务局")
    data = admin_form_data(client.get(f"/admin/units/handlingunit/{unit.pk}/change/"))
    data["name"] = "武昌区水务和湖泊局"
    response = client.post(f"/admin/units/handlingunit/{unit.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ((verb, data, actor),) = _events(unit)
    assert verb == "admin_change" and "name" in data["fields"] and actor == "管理员"
    assert data["object"] == "武昌区水务和湖泊局"

    region_page = client.get(f"/admin/regions/region/{district.pk}/change/")
    assert region_page.status_code == 200
    response = client.post(
        "/admin/units/handlingunit/",
        {"action": "delete_selected", "_selected_action": [unit.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert [v for v, _, _ in _events(unit)] == ["admin_change", "admin_delete"]


def test_a_users_role_change_in_the_admin_is_an_event(client, root):
    client.force_login(root)
    user = f.UserFactory(username="clerk", role="citizen")
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    data = admin_form_data(page)
    data.update({"role": "staff", "region": str(f.make_district().pk)})
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ((verb, payload, _),) = _events(user)
    assert verb == "admin_change" and "role" in payload["fields"]
