"""The stable opinion form URLs (意见建议入口): printed in QR codes, so these paths must never change.

The views live in the opinions app (zhitong.opinions.views_public); keep each path and name as is.
"""

from django.urls import path

from zhitong.opinions import views_public

urlpatterns = [
    path("opinions/new/", views_public.opinion_new, name="opinion_new"),
    path(
        "opinions/new/station/<str:public_code>/",
        views_public.opinion_new_station,
        name="opinion_new_station",
    ),
    path(
        "opinions/new/deputy/<str:public_code>/",
        views_public.opinion_new_deputy,
        name="opinion_new_deputy",
    ),
]
