"""App configuration for stations (代表联络站)."""

from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "zhitong.stations"
    label = "stations"
    verbose_name = "代表联络站"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from zhitong.regions.models import Region
        from zhitong.stations import verbs  # noqa: F401 (registers the timeline's verbs)
        from zhitong.stations.directory import form_stations_changed_on_save
        from zhitong.stations.models import Station

        # The opinion form keeps stations with their street and district between requests.
        for model in (Station, Region):
            uid = f"zt-form-stations-{model._meta.label_lower}"
            post_save.connect(form_stations_changed_on_save, sender=model, dispatch_uid=uid)
            post_delete.connect(
                form_stations_changed_on_save, sender=model, dispatch_uid=f"{uid}-delete"
            )
