"""URLs of the posters (张贴海报) on the work pages, mounted at /work/posters/."""

from django.urls import path

from zhitong.public import views_posters

app_name = "posters"
urlpatterns = [
    path("", views_posters.region_posters_view, name="region"),
    path("station/<int:pk>/", views_posters.station_poster_view, name="station"),
    path("deputy/<int:pk>/", views_posters.deputy_poster_view, name="deputy"),
]
