"""Request middleware: odd input refused at the door; Chinese unless the user picked another
language; no caching of pages with personal data; the site's own 404 page under DEBUG."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.urls import Resolver404, get_resolver, resolve
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


# Pages under these paths show or take personal data whoever asks (the login and
# password pages, the work pages, the opinion intake under /work/opinions/, the admin).
NO_STORE_PREFIXES = ("/work/", "/accounts/", "/admin/")


def no_store(response) -> None:
    """Mark `response` as never to be stored by a browser or a shared cache.

    A header that says so already (Django's never_cache) is kept; any other is replaced,
    so a view's "private, max-age=3600" cannot keep personal data on disk.
    """
    directives = {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }
    if {"no-store", "private"} <= directives and not directives & {"public", "s-maxage"}:
        return
    response["Cache-Control"] = "no-store, private"


class NoStoreMiddleware:
    """Cache-Control: no-store, private on every response to a signed-in user and on every
    page under NO_STORE_PREFIXES: pages with personal data must not stay in a browser's
    cache on a shared computer (a station's, a library's) or in a proxy's.

    The session is read only when the request carries a session cookie, so the public
    pages seen by anonymous visitors stay cacheable (and gain no Vary: Cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(NO_STORE_PREFIXES) or self._signed_in(request):
            no_store(response)
        return response

    @staticmethod
    def _signed_in(request) -> bool:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


class SiteNotFoundMiddleware:
    """Under DEBUG (`make run`), a missing page is the site's own 404 page, as in
    production, not Django's technical one (which lists every URL pattern). Errors (500)
    keep their traceback page. Does nothing when DEBUG is off: Django renders 404.html then.

    A path that matches no URL is answered here, before the view layer (Django would turn
    its Resolver404 into the technical page outside any middleware); an Http404 raised by
    a view is answered in process_exception.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exception:
                return self._not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
        return handler(request, exception)
