"""Admin of import batches (导入批次): a read-only record of every uploaded file."""

from django.contrib import admin

from zhitong.imports.models import ImportBatch
from zhitong.regions.admin_filters import district_filter


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "file_name",
        "region",
        "uploaded_by",
        "status",
        "row_count",
        "created_count",
        "error_count",
    )
    list_filter = ("kind", "status", district_filter("region"))
    search_fields = ("file_name", "uploaded_by__username", "uploaded_by__display_name")
    list_select_related = ("region", "uploaded_by")
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
