"""App configuration for stations (代表联络站)."""

from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "zhitong.stations"
    label = "stations"
    verbose_name = "代表联络站"
