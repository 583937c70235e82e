"""The site's URLs plus a bare view that does one insert: the baseline for submission rate."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from zhitong.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (subject, content) VALUES (%s, %s)",
            [request.POST.get("subject", ""), request.POST.get("content", "")],
        )
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare_insert), *site_urlpatterns]
