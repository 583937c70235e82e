"""Public opinion pages: confirmation, tracking, rating (by tracking code)."""

from django.urls import path

from zhitong.opinions import views_public

app_name = "opinions_public"
urlpatterns = [
    path("submitted/<str:token>/", views_public.submitted, name="submitted"),
    path("similar/", views_public.similar, name="similar"),
    path("track/", views_public.track, name="track"),
    path("track/<str:code>/", views_public.detail, name="detail"),
    path("track/<str:code>/rate/", views_public.rate, name="rate"),
    path("track/<str:code>/main/", views_public.follow, name="follow"),
]
