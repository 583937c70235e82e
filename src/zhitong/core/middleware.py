"""Request middleware: odd input refused at the door; Chinese unless the user picked another
language."""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

# Longer than any address the site makes (tracking codes, public codes, ids).
MAX_PATH = 2000


class OddInputMiddleware:
    """Refuse (400) a path or query string holding a NUL byte, or a path longer than any the
    site makes, before any view or query sees it.

    PostgreSQL cannot store or compare a NUL in text: without this, each view that passes a
    path part or a query parameter to a query would have to remember it, and one that does
    not answers with a server error. Form fields already refuse NUL (Django's validator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_path = request.META.get("PATH_INFO", "")
        query = request.META.get("QUERY_STRING", "")
        if (
            "\x00" in raw_path
            or len(raw_path) > MAX_PATH
            or b"\x00" in unquote_to_bytes(query)
            or "\x00" in request.path
        ):
            return HttpResponseBadRequest(
                _("请求地址中有无效的字符。").encode(), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language so LocaleMiddleware decides by the language
    cookie alone: the platform speaks Chinese to everyone until they switch."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
