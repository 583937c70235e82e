"""Admin of the event timeline (事件), read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhitong.core.models import Event


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
        "verb",
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
