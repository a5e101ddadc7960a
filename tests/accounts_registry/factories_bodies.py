"""Factories and file builders for the contact and posting-rules tests."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from accounts_registry.models import ContactPerson, Platform, SocialPage
from units.models import Body

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
OLE_DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
    b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Noi quy'
    b"</w:t></w:r></w:p></w:body></w:document>"
)


def docx_bytes(
    extra: dict[str, bytes] | None = None, *, content_types: bytes = CONTENT_TYPES
) -> bytes:
    """A minimal Word package, built in memory, with optional extra entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("word/document.xml", DOCUMENT)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name: str = "Nội quy đăng tin.pdf") -> SimpleUploadedFile:
    return upload(name, TINY_PDF)


class SocialPageFactory(DjangoModelFactory[SocialPage]):
    class Meta:
        model = SocialPage

    platform = factory.LazyFunction(lambda: Platform.objects.get(code="facebook"))
    display_name = factory.Sequence(lambda n: f"Trang thông tin {n}")
    url = factory.Sequence(lambda n: f"https://www.facebook.com/trang{n}")
    canonical_key = factory.Sequence(lambda n: f"trang{n}")


class ContactPersonFactory(DjangoModelFactory[ContactPerson]):
    class Meta:
        model = ContactPerson

    name = factory.Sequence(lambda n: f"Lê Thị {n}")
    phone = "0912345678"


def contact_values(**overrides: Any) -> dict[str, Any]:
    """Valid keyword arguments of ``contact_set``, minus body, page and by."""
    values: dict[str, Any] = {
        "name": "Nguyễn Thị Hoa",
        "position": "Công chức Văn hóa - Xã hội",
        "phone": "0912 345 678",
        "email": "hoa@camngoc.gov.vn",
        "notice_number": "15/UBND-VP",
        "notice_date": date(2024, 3, 1),
    }
    values.update(overrides)
    return values


def page_of(body: Body, **kwargs: Any) -> SocialPage:
    return SocialPageFactory.create(body=body, **kwargs)
