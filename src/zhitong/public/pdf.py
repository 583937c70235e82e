"""PDF documents from HTML: moved to zhitong.core.pdf (the suggestions' booklet, below the
public pages, prints with it too); the public pages' names for it."""

from zhitong.core.pdf import (  # noqa: F401
    PdfUnavailable,
    _weasyprint,
    html_to_pdf,
    htmls_to_pdf,
    pdf_unavailable,
)
