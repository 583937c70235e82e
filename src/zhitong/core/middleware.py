"""Language choice: Simplified Chinese unless the user picked another language."""


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language so LocaleMiddleware decides by the language
    cookie alone: the platform speaks Chinese to everyone until they switch."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
