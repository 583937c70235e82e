"""Admin of the event timeline (事件), read-only, and list filters the structure admins share."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhitong.core.models import Event


def district_filter(field_path: str, title=None):
    """A list filter by district over the Region at `field_path` ("" for a Region itself).

    Django's related-field filter would list every street and community of a city;
    this lists districts only and filters by path prefix, so it matches the subtree.
    """
    prefix = f"{field_path}__" if field_path else ""

    class DistrictListFilter(admin.SimpleListFilter):
        parameter_name = f"{field_path or 'region'}_district"

        def lookups(self, request, model_admin):
            from zhitong.regions.models import Region, RegionLevel

            return [
                (str(region.pk), region.name)
                for region in Region.objects.filter(level=RegionLevel.DISTRICT)
            ]

        def queryset(self, request, queryset):
            from zhitong.regions.models import Region

            if not self.value():
                return queryset
            region = Region.objects.filter(pk=self.value()).first()
            if region is None:
                return queryset.none()
            return queryset.filter(**{f"{prefix}path__startswith": region.path})

    DistrictListFilter.title = title or _("所属区")
    return DistrictListFilter


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
