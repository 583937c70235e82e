"""The stable opinion form URLs (意见建议入口): printed in QR codes, so these paths must never change.

The views may be replaced when online submission opens; keep each path and name as is.
"""

from django.urls import path

from zhitong.public import views

urlpatterns = [
    path("opinions/new/", views.opinion_new, name="opinion_new"),
    path(
        "opinions/new/station/<str:public_code>/",
        views.opinion_new_station,
        name="opinion_new_station",
    ),
    path(
        "opinions/new/deputy/<str:public_code>/",
        views.opinion_new_deputy,
        name="opinion_new_deputy",
    ),
]
