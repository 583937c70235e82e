"""URLs of the public app: directories, station and deputy pages, QR codes, opinion entry points."""

from django.urls import include, path, register_converter

from zhitong.public import views


class QrFormatConverter:
    """The file format of a QR image: svg or png."""

    regex = "svg|png"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class PublicCodeConverter:
    """A station's or deputy's public code; no dot, so `<code>.svg` splits unambiguously."""

    regex = "[^/.]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(QrFormatConverter, "zt_qr_format")
register_converter(PublicCodeConverter, "zt_public_code")

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("stations/", views.station_list, name="station_list"),
    path("stations/<str:public_code>/", views.station_detail, name="station_detail"),
    path("deputies/", views.deputy_list, name="deputy_list"),
    path("deputies/<str:public_code>/", views.deputy_detail, name="deputy_detail"),
    path(
        "qr/station/<zt_public_code:public_code>.<zt_qr_format:format>",
        views.station_qr,
        name="station_qr",
    ),
    path(
        "qr/deputy/<zt_public_code:public_code>.<zt_qr_format:format>",
        views.deputy_qr,
        name="deputy_qr",
    ),
    # The opinion form paths are printed in QR codes: they live in their own module
    # so the opinions work can replace the views without touching the paths.
    path("", include("zhitong.public.opinion_urls")),
]
