"""Admin of the event timeline (事件), read-only; and the mixin that makes every admin edit
of structure data an event on the edited object's timeline."""

import json

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhitong.core import vocabulary
from zhitong.core.events import event_record
from zhitong.core.models import Event
from zhitong.core.vocabulary import CoreVerb


def _changed_fields(message) -> list[str]:
    """The field names Django's change message lists (construct_change_message)."""
    if isinstance(message, str):
        try:
            message = json.loads(message or "[]")
        except ValueError:
            return []
    fields: list[str] = []
    for part in message or []:
        for detail in part.values() if isinstance(part, dict) else []:
            if isinstance(detail, dict):
                fields += [str(name) for name in detail.get("fields", [])]
    return fields


class RecordedEditsAdmin(admin.ModelAdmin):
    """Admin edits of structure data (stations, units, routing, deputies, users' roles,
    regions) are recorded as events, like every other act: who added, changed (which
    fields) or deleted what, in the same transaction as the edit."""

    def _record(self, request, obj, verb: str, data: dict) -> None:
        with transaction.atomic():
            event_record(
                actor=request.user,
                subject=obj,
                verb=verb,
                data={"model": obj._meta.label_lower, "object": str(obj)[:200], **data},
                district_code=str(getattr(obj, "district_code", "") or "")[:12],
            )

    def log_addition(self, request, obj, message):
        self._record(request, obj, CoreVerb.ADMIN_ADD, {})
        return super().log_addition(request, obj, message)

    def save_model(self, request, obj, form, change):
        # The names of the fields changed, for the event (the change message has labels).
        request._zhitong_changed = list(form.changed_data)
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        names = getattr(request, "_zhitong_changed", None)
        self._record(
            request,
            obj,
            CoreVerb.ADMIN_CHANGE,
            {"fields": names if names is not None else [], "labels": _changed_fields(message)},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, CoreVerb.ADMIN_DELETE, {})
        return super().log_deletions(request, queryset)


class ContentTypeListFilter(admin.RelatedOnlyFieldListFilter):
    """Filter by the kind of object, offering only kinds that have events."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("对象类型")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The timeline as an audit trail: searchable, never added to, changed or deleted here."""

    list_display = (
        "occurred_at",
        "actor_name",
        "verb_label",
        "subject_type",
        "subject_id",
        "from_state",
        "to_state",
        "district_code",
    )
    list_filter = (("content_type", ContentTypeListFilter),)
    search_fields = ("=object_id", "=district_code", "actor_name", "verb", "note")
    list_select_related = ("content_type",)
    # Counting a table of millions of rows on every page is wasted work.
    show_full_result_count = False
    ordering = ("-occurred_at", "-id")
    list_per_page = 50

    @admin.display(description=_("动作"), ordering="verb")
    def verb_label(self, event):
        return vocabulary.label(event.verb)

    @admin.display(description=_("对象类型"), ordering="content_type")
    def subject_type(self, event):
        return event.content_type

    @admin.display(description=_("对象编号"), ordering="object_id")
    def subject_id(self, event):
        return event.object_id

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
