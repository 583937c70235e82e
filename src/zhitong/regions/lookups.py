"""Finding regions by what office files write: a code, a name, or a name without its
suffix ("中南路" for "中南路街道"); and the districts in a user's work scope."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from zhitong.core.scoping import work_scope
from zhitong.regions.models import Region, RegionLevel


@dataclass
class Scope:
    """The district an import writes into, with its regions loaded once for lookups by name or code."""

    district: Region
    regions: list[Region] = field(default_factory=list)

    @classmethod
    def load(cls, district: Region) -> "Scope":
        return cls(district=district, regions=list(Region.objects.subtree(district)))

    def find(self, text: str, *, levels, within: Region | None = None, what: str):
        """The one region matching `text` by code or name, else (None, message)."""
        within = within or self.district
        pool = [r for r in self.regions if r.level in levels and r.is_within(within)]
        if text.isdigit():
            matches = [r for r in pool if r.code == text]
        else:
            matches = [r for r in pool if r.name == text]
            if not matches:
                # "中南路" for "中南路街道", "中南路街道" for "中南路": offices write both.
                matches = [r for r in pool if _strip_suffix(r.name) == _strip_suffix(text)]
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, _("在“%(scope)s”范围内找不到%(what)s“%(text)s”。") % {
                "scope": within.name,
                "what": what,
                "text": text,
            }
        return None, _(
            "“%(scope)s”范围内有 %(count)d 个名为“%(text)s”的%(what)s，请改填区划代码。"
        ) % {
            "scope": within.name,
            "count": len(matches),
            "text": text,
            "what": what,
        }


def _strip_suffix(name: str) -> str:
    for suffix in ("街道办事处", "街道", "社区居委会", "社区居民委员会", "社区"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def districts_in_scope(user) -> list[Region]:
    """The districts in the user's work scope (every district for an unrestricted user),
    by code."""
    paths = work_scope(user).district_paths
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code")
    if paths is None:
        return list(districts)
    if not paths:
        return []
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return list(districts.filter(q))
