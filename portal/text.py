"""Vietnamese text handling: NFC storage and accent- and case-insensitive search keys."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    # django-stubs' fields take their set and get types; Django's take no parameters.
    _CharField = models.CharField[str | int | Combinable, str]
    _TextField = models.TextField[str | Combinable, str]
else:
    _CharField = models.CharField
    _TextField = models.TextField

# đ/Đ are letters of their own, not a d with a combining mark, so NFD does not strip them.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """Return the text in Unicode NFC, the form the portal stores."""
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Return a search key: lower case, without diacritics, spaces collapsed.

    "Xã Cẩm Ngọc", "xa cam ngoc" and the same words typed in NFD all give "xa cam ngoc".
    """
    decomposed = unicodedata.normalize("NFD", value.translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class NFCCharField(_CharField):
    """A CharField that stores NFC whatever the entry point (form, API, ORM, import)."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return nfc(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return nfc(value) if isinstance(value, str) else value


class NFCTextField(_TextField):
    """A TextField that stores NFC whatever the entry point."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return nfc(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return nfc(value) if isinstance(value, str) else value
