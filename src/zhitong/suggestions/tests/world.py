"""A district with a session, deputies in a street group, units and every role, for the
suggestions' tests (on the opinions' lifecycle world)."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from zhitong.deputies.models import GroupKind
from zhitong.opinions.tests.lifecycle_world import build as build_opinions_world
from zhitong.suggestions.models import CongressSession
from zhitong.testing import factories as f

# A minimal valid PDF (one empty page).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "答复函.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def build():
    w = build_opinions_world()
    term = f.TermFactory(region=w.district, number=16, start_date=datetime.date(2022, 1, 1))
    w.session = CongressSession.objects.create(
        term=term,
        district=w.district,
        number=4,
        opens_on=datetime.date(2026, 1, 5),
        closes_on=datetime.date(2026, 1, 8),
    )
    group = f.DeputyGroupFactory(name="甲街道代表小组", kind=GroupKind.STREET, region=w.street_a)
    f.GroupMembershipFactory(group=group, deputy=w.dep_a)
    w.dep_b = w.other_deputy.deputy
    w.dep_far = None
    return w


__all__ = ["PDF", "build", "io", "pdf"]
