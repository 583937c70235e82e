"""Background jobs of the public app: every poster of a street or district in one PDF."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from zhitong.core.jobs import JobFile, job_kind
from zhitong.public import posters
from zhitong.regions.models import Region

POSTERS = "public.posters"


def region_posters_label(region: Region, kind: str, size: str) -> str:
    """How a batch of posters is named on its job's page."""
    what = _("代表海报") if kind == "deputies" else _("站点海报")
    return _("%(region)s %(what)s（%(size)s）") % {
        "region": region.name,
        "what": what,
        "size": size.upper(),
    }


def region_posters_file(region: Region, kind: str, size: str, progress=None) -> JobFile:
    label = region_posters_label(region, kind, size)
    data = posters.posters_pdf(
        posters.region_posters(region, kind), size, title=label, progress=progress
    )
    return JobFile(posters.poster_file_name(label, size), "application/pdf", data)


@job_kind(POSTERS)
def build_region_posters(job, progress) -> JobFile:
    """Every poster of the region, as the requester may still print them."""
    region = Region.objects.get(pk=job.params["region"])
    if not job.requested_by.has_perm("stations.print_region_posters", region):
        raise PermissionDenied
    kind, size = job.params.get("kind", "stations"), job.params.get("size", "a4")
    total = posters.region_poster_count(region, kind)

    def laid_out(done: int) -> None:
        # The step names the count, so each batch is written at once (progress writes the
        # count itself only every thousand).
        progress(done, total, _("已排版 %(done)s / %(total)s 张") % {"done": done, "total": total})

    laid_out(0)
    return region_posters_file(region, kind, size, progress=laid_out)
