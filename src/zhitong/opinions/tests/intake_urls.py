"""The site's URLs with the intake pages in the "opinions" namespace, for the intake tests
(until urls_work.py includes urls_intake.py; afterwards this equals the real wiring)."""

from django.urls import include, path

from zhitong import urls as root
from zhitong.opinions import urls_intake, urls_work

_names = {p.name for p in urls_work.urlpatterns}
_intake = [p for p in urls_intake.urlpatterns if p.name not in _names]

urlpatterns = [p for p in root.urlpatterns if str(p.pattern) != "work/opinions/"] + [
    path("work/opinions/", include((urls_work.urlpatterns + _intake, "opinions"))),
]
