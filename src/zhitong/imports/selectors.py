"""Reads for the import pages, scoped to the user's region."""

from django.http import Http404

from zhitong.core.scoping import is_unrestricted, scope_by_region, scope_region_path
from zhitong.regions.models import Region, RegionLevel

from .models import ImportBatch, RosterPreview
from .rules import can_import


def import_regions(user):
    """The districts `user` may import into (导入区划)."""
    if not can_import(user):
        return Region.objects.none()
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    if is_unrestricted(user):
        return districts
    path = scope_region_path(user)
    return districts.filter(path__startswith=path) if path else districts.none()


def batches_for(user):
    """Import batches in the user's scope, newest first, with uploader and region loaded."""
    if not can_import(user):
        return ImportBatch.objects.none()
    return scope_by_region(
        ImportBatch.objects.select_related("uploaded_by", "region"), user, "region"
    )


def access_import_batch(user, pk: int) -> ImportBatch:
    """The batch, or 404 alike whether it does not exist or lies outside the user's scope."""
    try:
        return batches_for(user).get(pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def roster_previews_for(user):
    """Roster previews in the user's scope, newest first."""
    if not can_import(user):
        return RosterPreview.objects.none()
    return scope_by_region(
        RosterPreview.objects.select_related("uploaded_by", "region", "batch"), user, "region"
    )


def access_roster_preview(user, pk: int) -> RosterPreview:
    """The preview, or 404 alike whether it does not exist or lies outside the user's scope."""
    try:
        return roster_previews_for(user).get(pk=pk)
    except RosterPreview.DoesNotExist:
        raise Http404 from None
