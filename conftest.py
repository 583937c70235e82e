"""Fixtures shared by the whole suite."""

import pytest

from zhitong.testing import factories as f


@pytest.fixture
def district(db):
    return f.make_district()


@pytest.fixture
def street(district):
    return f.StreetFactory(parent=district)


@pytest.fixture
def other_street(district):
    return f.StreetFactory(parent=district)
