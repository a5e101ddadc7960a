"""The text a PDF shows, read with pypdf (from the lock file): no system tool needed."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """Every page's text in reading order, pages separated by a line break, in NFC."""
    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() or "" for page in reader.pages]
    return unicodedata.normalize("NFC", "\n".join(pages))
