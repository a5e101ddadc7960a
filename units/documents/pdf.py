"""The PDF of official documents (WeasyPrint): the typeface, the context of the base template
``documents/official_pdf.html`` that letters and reports extend, and a renderer that fetches
nothing but ``data:`` URLs and the project's own font files.

The PDF's typeface: Decree 30/2020 asks for Times New Roman; where it is not installed,
Liberation Serif 2, which has its metrics and every Vietnamese letter, is shipped with the
project (static/fonts/liberation-serif, SIL OFL 1.1) and loaded by @font-face, so a document
prints alike on every server. The system's Liberation Serif 1 (pulled in by Chromium's
package) lacks letters such as "ệ", which would be drawn from another font mid-word:
fontconfig resolves "Times New Roman" to it, but a face declared by @font-face comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from units.documents.layout import (
    LEFT_COLUMN,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    OfficialDocument,
)

PDF_FONT_FAMILY = '"Times New Roman", "Liberation Serif", serif'
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "liberation-serif"
_FONT_FILES = (  # (weight, style, file)
    ("normal", "normal", "LiberationSerif-Regular.ttf"),
    ("bold", "normal", "LiberationSerif-Bold.ttf"),
    ("normal", "italic", "LiberationSerif-Italic.ttf"),
    ("bold", "italic", "LiberationSerif-BoldItalic.ttf"),
)
# Every letter of Vietnamese beyond ASCII: the shipped typeface has each of them.
VIETNAMESE = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư" + "".join(
    chr(code) for code in range(0x1EA0, 0x1EFA)
)


@dataclass(frozen=True)
class FontFace:
    """One style of the shipped typeface, as an @font-face rule of the PDF's CSS."""

    family: str
    weight: str
    style: str
    url: str  # file:// URL inside FONT_DIR, the only files the PDF renderer may read


def pdf_font_faces() -> list[FontFace]:
    return [
        FontFace("Liberation Serif", weight, style, (FONT_DIR / name).resolve().as_uri())
        for weight, style, name in _FONT_FILES
    ]


def pdf_font_family() -> str:
    """The CSS font-family of official documents: Times New Roman, else the shipped face."""
    return PDF_FONT_FAMILY


def pdf_context(doc: OfficialDocument, **extra: Any) -> dict[str, Any]:
    """What ``documents/official_pdf.html`` needs: the document as ``doc``, the page and the
    typeface (``documents/fonts_pdf.html``); ``extra`` for the template that extends it."""
    return {
        "doc": doc,
        "margins": {
            "top": MARGIN_TOP,
            "bottom": MARGIN_BOTTOM,
            "left": MARGIN_LEFT,
            "right": MARGIN_RIGHT,
        },
        "left_column": LEFT_COLUMN,
        "font_faces": pdf_font_faces(),
        "font_family": pdf_font_family(),
        **extra,
    }


def official_html(template: str, doc: OfficialDocument, **extra: Any) -> str:
    """``template`` (which extends ``documents/official_pdf.html``) rendered for ``doc``;
    Django's autoescaping writes every text as text."""
    return render_to_string(template, pdf_context(doc, **extra))


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """Fetches ``data:`` URLs and the shipped font files only: a document never makes the
    server reach a network, nor read any other file of its disk."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allowed_protocols", {"data", "file"})
        super().__init__(**kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.lower().startswith("data:"):
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        font = _shipped_font(url)
        if font is None:
            raise ValueError(f"Official documents load nothing from outside ({url[:60]}).")
        # Read here rather than through urllib: the path checked is the path read.
        return URLFetcherResponse(url, font.read_bytes(), {"Content-Type": "font/ttf"})


def _shipped_font(url: str) -> Path | None:
    """The file a ``file:`` URL names when it is one of the shipped fonts, else None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    # url2pathname unquotes ("%2e%2e" is ".."); resolve() then follows ".." and symbolic
    # links, so the check is made on the file that would be read.
    path = Path(url2pathname(parts.path)).resolve()
    if path.parent != FONT_DIR.resolve() or path.suffix.lower() != ".ttf" or not path.is_file():
        return None
    return path


def pdf_from_html(html: str) -> bytes:
    """The PDF (A4) of ``html``, with nothing fetched from outside."""
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=LocalOnlyFetcher()).write_pdf()
    return pdf
