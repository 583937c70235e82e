"""One summary table for every process: OpinionFigure becomes Figure with a `process` column;
the rows already there are the opinions' and keep their values (the column is added with
"opinions" as its value, then the default is dropped: every writer names its process)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0004_refresh_lease"),
        ("regions", "0001_initial"),
        ("units", "0002_category_deadline_days"),
    ]

    operations = [
        migrations.RenameModel("OpinionFigure", "Figure"),
        migrations.AddField(
            model_name="figure",
            name="process",
            field=models.CharField(default="opinions", max_length=30, verbose_name="业务"),
            preserve_default=False,
        ),
        migrations.RemoveIndex(model_name="figure", name="dashboards_of_dist_period"),
        migrations.RemoveIndex(model_name="figure", name="dashboards_of_street_period"),
        migrations.RemoveIndex(model_name="figure", name="dashboards_of_unit_period"),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                fields=["process", "district", "grain", "period"], name="dashboards_fig_dist"
            ),
        ),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                fields=["process", "street", "grain", "period"], name="dashboards_fig_street"
            ),
        ),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                fields=["process", "unit", "grain", "period"], name="dashboards_fig_unit"
            ),
        ),
        migrations.AlterModelOptions(
            name="figure",
            options={"verbose_name": "统计汇总", "verbose_name_plural": "统计汇总"},
        ),
        migrations.AlterField(
            model_name="figure",
            name="dimension",
            field=models.CharField(
                choices=[
                    ("total", "合计"),
                    ("channel", "按渠道"),
                    ("category", "按类别"),
                    ("street", "按街道"),
                    ("station", "按站点"),
                    ("unit", "按承办单位（主办）"),
                    ("units", "各承办单位（全部业务）"),
                ],
                max_length=20,
                verbose_name="维度",
            ),
        ),
    ]
