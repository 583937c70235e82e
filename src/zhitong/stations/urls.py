"""URLs of the private (staff-side) station pages, mounted at /work/stations/."""

from django.urls import path

from zhitong.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.station_list_view, name="list"),
    path("<int:pk>/", views.station_detail_view, name="detail"),
    path("<int:pk>/rota/", views.rota_view, name="rota"),
    path("<int:pk>/rota/<int:line_pk>/", views.rota_edit_view, name="rota_line"),
    path("<int:pk>/rota/<int:line_pk>/remove/", views.rota_remove_view, name="rota_remove"),
]
