"""App configuration for public (公开页面)."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "zhitong.public"
    label = "public"
    verbose_name = "公开页面"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from zhitong.public.selectors import form_stations_changed_on_save
        from zhitong.regions.models import Region
        from zhitong.stations.models import Station

        # The opinion form keeps stations with their street and district between requests.
        for model in (Station, Region):
            uid = f"zt-form-stations-{model._meta.label_lower}"
            post_save.connect(form_stations_changed_on_save, sender=model, dispatch_uid=uid)
            post_delete.connect(
                form_stations_changed_on_save, sender=model, dispatch_uid=f"{uid}-delete"
            )
