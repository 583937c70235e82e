"""The server-error page (500): honest about what was saved, safe to act on.

It must work while the database is down: no context processors, no session, and each
lookup guarded. A citizen whose opinion was saved before the error (the confirmation page
failing, say) is shown its tracking code; otherwise they are told that sending the same
form again is safe (the form's one-time key makes a resubmission create one opinion).
"""

import logging

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("zhitong.errors")

OPINION_FORM_PREFIX = "/opinions/new/"


CONFIRMATION_PREFIX = "/opinions/submitted/"


def _submission_key(request) -> str | None:
    """The form's one-time key: posted with the form, or signed into the confirmation URL."""
    from zhitong.opinions import views_public

    if request.method == "POST" and request.path.startswith(OPINION_FORM_PREFIX):
        return views_public.read_submission_key(request.POST.get("submission_key", ""))
    if request.path.startswith(CONFIRMATION_PREFIX):
        token = request.path[len(CONFIRMATION_PREFIX) :].strip("/")
        return views_public.submission_key_from_token(token)
    return None


def _saved_opinion_code(request) -> str | None:
    """The tracking code of the opinion this form's key already made, if any."""
    try:
        from zhitong.opinions import intake

        key = _submission_key(request)
        return intake.tracking_code_by_submission_key(key) if key else None
    except Exception:  # noqa: BLE001 - the database may be what failed
        logger.warning("server error page: could not look up the submission")
        return None


@requires_csrf_token
def server_error(request, template_name="500.html"):
    code = _saved_opinion_code(request)
    context = {
        "opinion_form": request.path.startswith((OPINION_FORM_PREFIX, CONFIRMATION_PREFIX)),
        "saved_code": code,
    }
    if code:
        from zhitong.opinions.tracking import rating_key

        # The form's signed one-time key is in this request: it is the submitter's browser.
        context["rating_key"] = rating_key(code)
    try:
        body = loader.get_template(template_name).render(context)
    except Exception:  # noqa: BLE001 - last resort: plain text
        body = "系统出错，请稍后再试。"
    response = HttpResponseServerError(body)
    response["Cache-Control"] = "no-store"
    return response
