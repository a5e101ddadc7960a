"""The text a PDF shows, read with pypdf (from the lock file): no system tool needed."""

from __future__ import annotations

import io
import unicodedata
from typing import cast

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject


def pdf_text(content: bytes) -> str:
    """Every page's text in reading order, pages separated by a line break, in NFC."""
    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() or "" for page in reader.pages]
    return unicodedata.normalize("NFC", "\n".join(pages))


def pdf_fonts(content: bytes) -> dict[str, float]:
    """The fonts a PDF embeds: base name without subset tag or dashes → the font's revision
    (``{"LiberationSerifBold": 2.1}``), read from the embedded font file itself."""
    found: dict[str, float] = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = cast(DictionaryObject, cast(DictionaryObject, page["/Resources"])["/Font"])
        for ref in fonts.values():
            font = cast(DictionaryObject, ref.get_object())
            name = str(font["/BaseFont"]).split("+")[-1].replace("-", "")
            if "/DescendantFonts" in font:  # a composite font: its glyphs are one level down
                descendants = cast(ArrayObject, font["/DescendantFonts"])
                font = cast(DictionaryObject, descendants[0].get_object())
            descriptor = cast(DictionaryObject, font["/FontDescriptor"].get_object())
            data = cast(StreamObject, descriptor["/FontFile2"].get_object()).get_data()
            found[name] = float(TTFont(io.BytesIO(data))["head"].fontRevision)
    return found
