"""URLs of the private (staff-side) station pages, mounted at /work/stations/."""

from django.urls import path

from zhitong.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.station_list_view, name="list"),
    path("<int:pk>/", views.station_detail_view, name="detail"),
]
