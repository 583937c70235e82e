"""The demo's router: the shipped real messages (zhitong.insights, data/tipdm2020c) mapped
onto the demo district's categories, trained before the half year of opinions, so that
each opinion gets a proposal as it arrives and staff's triage confirms or corrects it;
trained again at the end, on those decisions too (the versions page then has two).
"""

from __future__ import annotations

from zhitong.insights import data, services
from zhitong.insights.models import RouterVersion

# The contest's 7 first-level classes and the demo taxonomy's subjects (demo/units.py)
# that the same departments handle.
CLASS_TO_CODE = {
    "城乡建设": "CS01",
    "环境保护": "ST01",
    "交通运输": "CS02",
    "教育文体": "MS02",
    "劳动和社会保障": "MS04",
    "商贸旅游": "YS01",
    "卫生计生": "MS03",
}
DATA_SET = "tipdm2020c"
TAXONOMY = "tipdm2020c-taxonomy"


def seed_examples() -> int:
    """The shipped labelled messages and the taxonomy's subjects of the 7 classes, as seed
    training rows under the demo's codes (those already there are kept)."""
    found = data.labelled(data.LABELLED)
    numbers = [row["留言编号"] for row in data.rows(data.LABELLED) if row.get(data.LABEL)]
    added = services.examples_seed(
        (DATA_SET, number, m.title, m.text, CLASS_TO_CODE[label])
        for number, m, label in zip(numbers, found.messages, found.labels, strict=True)
        if label in CLASS_TO_CODE
    )
    messages, labels, weights = data.taxonomy_prior(set(CLASS_TO_CODE.values()), CLASS_TO_CODE)
    added += services.examples_seed(
        (
            (TAXONOMY, str(i), m.title, m.text, label)
            for i, (m, label) in enumerate(zip(messages, labels, strict=True))
        ),
        prior=True,
        weight=data.TAXONOMY_WEIGHT,
    )
    return added


def ensure_router() -> RouterVersion | None:
    """Version 1 from the seed rows, unless a router exists already."""
    if RouterVersion.objects.exists():
        return None
    seed_examples()
    return services.retrain()


def retrain_after_opinions() -> RouterVersion:
    """A second version, with the demo staff's confirmations and corrections."""
    return services.retrain()
