"""PDF documents from HTML and print CSS (WeasyPrint): the posters (public) and the
suggestions' booklet (建议汇编).

WeasyPrint lays text out with pango, a system library (Debian: libpango-1.0-0,
libpangoft2-1.0-0), and finds the CJK fonts through fontconfig (fonts-noto-cjk); every font
a document uses is embedded in it, as a subset. On a machine without pango the import
fails: `pdf_unavailable()` says why, the pages offering PDFs answer 503 with that reason in
Chinese, and the PDF tests skip.

A document reads nothing from outside itself: the URL fetcher allows `data:` URIs only (the
QR codes are embedded so), never a file or a network address, whatever a template holds.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any


class PdfUnavailable(Exception):
    """WeasyPrint cannot run on this machine (a system library is missing)."""


@functools.cache
def _weasyprint() -> Any:
    from PIL import ImageFile

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let
    # a cut-off photo through the opinions' upload check in every later request of the
    # process. The posters embed no raster image: the setting is put back as it was.
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        # OSError: cffi could not open pango (or gobject, harfbuzz, fontconfig).
        return error
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    # WeasyPrint logs each step of each document at INFO: not news for a log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return weasyprint


def pdf_unavailable() -> str:
    """Why PDFs cannot be made here ("" when they can)."""
    loaded = _weasyprint()
    if isinstance(loaded, BaseException):
        return f"{type(loaded).__name__}: {loaded}"
    return ""


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def _loaded() -> Any:
    weasyprint = _weasyprint()
    if isinstance(weasyprint, BaseException):
        raise PdfUnavailable(pdf_unavailable())
    return weasyprint


def html_to_pdf(html: str, *, css: str = "") -> bytes:
    """The PDF of `html`, styled by `css` (print CSS: @page size and margins)."""
    return htmls_to_pdf([html], css=css)


def htmls_to_pdf(
    htmls: Iterable[str], *, css: str = "", laid_out: Callable[[int], None] | None = None
) -> bytes:
    """One PDF of several HTML documents, their pages one after another. Each is laid out on
    its own (`laid_out(n)` after the n-th), so a long file reports its progress and never
    holds one enormous layout; the fonts are embedded once for the whole file."""
    documents = []
    for n, html in enumerate(htmls, start=1):
        documents.append(html_layout(html, css=css))
        if laid_out is not None:
            laid_out(n)
    return documents_to_pdf(documents)


def html_layout(html: str, *, css: str = "") -> Any:
    """`html` laid out in pages (a WeasyPrint document: its `pages`, each with the ids it
    holds in `anchors`), for a caller that needs to know where things fell."""
    weasyprint = _loaded()
    fetcher = _fetcher()
    stylesheets = [weasyprint.CSS(string=css, url_fetcher=fetcher)] if css else []
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.render(stylesheets=stylesheets)


def documents_to_pdf(documents: list) -> bytes:
    """One PDF of laid-out documents, their pages one after another."""
    if not documents:
        raise ValueError("no document to print")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
