"""Terms read as offices write them."""

import pytest

from zhitong.deputies.models import DeputyLevel, chinese_number
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (14, "十四"), (17, "十七"), (20, "二十"), (23, "二十三")]
)
def test_chinese_number(n, text):
    assert chinese_number(n) == text


def test_district_term_names_its_congress(district):
    assert str(f.TermFactory(region=district, number=17)) == "武昌区第十七届人民代表大会"


def test_national_term_is_the_npc(district):
    term = f.TermFactory(region=district.parent.parent, level=DeputyLevel.NATIONAL, number=14)
    assert str(term) == "第十四届全国人民代表大会"
