"""Recording reads of personal data (读取留痕): one call per page, photo or export served."""

from django.contrib.contenttypes.models import ContentType

from zhitong.core.clientip import client_ip_text
from zhitong.core.models import AccessRecord

DETAIL_MAX = 300


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
        address=client_ip_text(request)[:64],
        district_code=district_code or "",
    )
