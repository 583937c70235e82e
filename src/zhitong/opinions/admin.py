"""Admin of opinions (群众意见建议): read-mostly; every change of course goes through the services.

Administrators can look anything up (by tracking code, subject, unit) and correct the
staff-only note; statuses, referrals, replies and ratings are shown, never edited here,
because a change without its event would break the timeline.
"""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from zhitong.opinions.models import Attachment, IntakeSession, Opinion
from zhitong.regions.admin_filters import district_filter


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fk_name = "opinion"
    fields = ("original_name", "content_type", "size", "created_at")
    readonly_fields = fields


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_code",
        "subject",
        "status",
        "channel",
        "category",
        "street",
        "station",
        "received_at",
    )
    list_filter = ("status", "channel", district_filter("district"))
    search_fields = ("=tracking_code", "subject")
    list_select_related = ("category", "category__parent", "street", "station")
    show_full_result_count = False
    ordering = ("-received_at", "-id")
    list_per_page = 50
    date_hierarchy = "received_at"
    # Only the staff note may be corrected here; everything else has its service.
    fields = (
        "tracking_code",
        "subject",
        "content",
        "status",
        "category",
        "channel",
        "district",
        "street",
        "place",
        "address",
        "station",
        "deputy",
        "intake_session",
        "submitter_name",
        "submitter_phone",
        "submitter_email",
        "recorded_by",
        "received_at",
        "accepted_at",
        "closed_at",
        "decline_reason",
        "decline_note",
        "merged_into",
        "returned_for_rework",
        "internal_note",
        "referral_list",
        "reply_list",
    )
    readonly_fields = tuple(name for name in fields if name != "internal_note")
    inlines = (AttachmentInline,)

    @admin.display(description=_("转办"))
    def referral_list(self, obj):
        # Referrals are handling assignments (admin: 交办承办 › 交办), shown here read-only.
        rows = obj.referrals.order_by("role", "id") if obj.case_id else []
        return format_html_join(
            "",
            "<p>{} · {} · {} · {} {}</p>",
            (
                (
                    r.unit_name,
                    r.get_role_display(),
                    r.get_state_display(),
                    r.due_date or "—",
                    r.return_reason,
                )
                for r in rows
            ),
        )

    @admin.display(description=_("答复"))
    def reply_list(self, obj):
        # Replies and their ratings are handling's (admin: 交办承办 › 答复), shown read-only.
        rows = obj.replies.select_related("rating").order_by("created_at", "id")
        return format_html_join(
            "",
            "<p>{} · {} · {} · {}</p>",
            (
                (
                    r.unit_name,
                    r.created_at,
                    r.sent_at or "—",
                    r.rating.get_score_display() if hasattr(r, "rating") else "—",
                )
                for r in rows
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntakeSession)
class IntakeSessionAdmin(admin.ModelAdmin):
    list_display = ("held_on", "title", "kind", "station", "district")
    list_filter = ("kind", district_filter("district"))
    search_fields = ("title",)
    list_select_related = ("station", "district")
    readonly_fields = ("recorded_by", "created_at")
    autocomplete_fields = ("deputies",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
