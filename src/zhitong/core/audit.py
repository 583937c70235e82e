"""Recording reads of personal data (读取留痕): one call per page, photo or export served."""

from django.contrib.contenttypes.models import ContentType

from zhitong.core.models import AccessRecord

DETAIL_MAX = 300


def _address(request) -> str:
    from django.conf import settings
    from django.utils.module_loading import import_string

    finder = getattr(settings, "CLIENT_ADDRESS_FUNCTION", "")
    if finder:
        return str(import_string(finder)(request))[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def access_record(request, *, action: str, subject=None, detail: str = "", district_code=""):
    """Record that `request.user` read `subject` (or, for an export, what `detail` says)."""
    user = request.user
    AccessRecord.objects.create(
        actor=user,
        actor_name=(user.get_full_name() or user.get_username())[:100],
        action=action,
        content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        object_id=str(subject.pk) if subject is not None else "",
        detail=str(detail)[:DETAIL_MAX],
        address=_address(request),
        district_code=district_code or "",
    )
