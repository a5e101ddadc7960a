"""Official documents in the layout of Decree 30/2020/NĐ-CP, Appendix I, shared by the
directives' letters (``directives.rendering``) and the reports' official reports
(``reports.exports.documents``): the parts as data (``layout``), one DOCX builder (``word``)
and one base PDF template, ``templates/documents/official_pdf.html``, with its renderer
(``pdf``).

Why here, in ``units``: the header is made of the hierarchy's own data (a body, its
supervising body, its unit's name and type, in the three-tier and two-tier names alike), and
``units`` is the lowest app that holds them. It imports neither ``directives`` nor
``reports`` (they both import it), so both may use this module without a cycle and without
one reaching into the other's private helpers; ``portal``, the top app, would not do.

Import the public names from here::

    from units.documents import OfficialDocument, OfficialDocx, issuer_lines, official_html
"""

from units.documents.layout import (
    BODY_SIZE,
    COUNTRY,
    FONT,
    LEFT_COLUMN,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MOTTO,
    TEXT_WIDTH,
    OfficialDocument,
    addressees,
    as_list,
    distribution,
    issuer_lines,
    list_entries,
    number_line,
    place_date,
    place_in_sentence,
    rule_width,
    text_lines,
    upper,
    vietnamese_date,
)
from units.documents.pdf import (
    FONT_DIR,
    PDF_FONT_FAMILY,
    VIETNAMESE,
    FontFace,
    LocalOnlyFetcher,
    official_html,
    pdf_context,
    pdf_font_faces,
    pdf_font_family,
    pdf_from_html,
)
from units.documents.word import OfficialDocx

__all__ = [
    "BODY_SIZE",
    "COUNTRY",
    "FONT",
    "FONT_DIR",
    "LEFT_COLUMN",
    "MARGIN_BOTTOM",
    "MARGIN_LEFT",
    "MARGIN_RIGHT",
    "MARGIN_TOP",
    "MOTTO",
    "PDF_FONT_FAMILY",
    "TEXT_WIDTH",
    "VIETNAMESE",
    "FontFace",
    "LocalOnlyFetcher",
    "OfficialDocument",
    "OfficialDocx",
    "addressees",
    "as_list",
    "distribution",
    "issuer_lines",
    "list_entries",
    "number_line",
    "official_html",
    "pdf_context",
    "pdf_font_faces",
    "pdf_font_family",
    "pdf_from_html",
    "place_date",
    "place_in_sentence",
    "rule_width",
    "text_lines",
    "upper",
    "vietnamese_date",
]
