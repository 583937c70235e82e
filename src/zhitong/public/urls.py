"""URLs of the public app."""

app_name = "public"
urlpatterns: list = []
