"""Admin: read-only views of notifications and of the messages that went out."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhitong.core.masking import mask_contact
from zhitong.notifications.models import Message, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """These rows are records of what happened; the admin shows them and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "masked_to",
        "subject",
        "status",
        "attempts",
        "backend",
    ]
    list_filter = ["status", "channel", "backend"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    @admin.display(description=_("接收地址"))
    def masked_to(self, obj):
        return mask_contact(obj.to)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "verb", "text", "read_at"]
    list_filter = ["verb"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "verb"]
