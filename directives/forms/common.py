"""What the directive forms share: dates, files, instructions, long lists of options."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from directives.files import check_attachments
from directives.models import (
    Directive,
)

# What the file input offers; the content is checked on upload whatever the name says.
ACCEPT = ".pdf,.docx,.png,.jpg,.jpeg,.webp"

# "1. ", "2) " typed or pasted before an instruction: the letter numbers them itself.
_NUMBERING = re.compile(r"^\s*\d{1,3}\s*[.)]\s+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_instructions(text: str) -> list[str]:
    """One instruction per line; or, when the text has empty lines, one per paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [_NUMBERING.sub("", part.strip(), count=1) for part in parts if part.strip()]


def join_instructions(texts: Sequence[str]) -> str:
    """The textarea's text for saved instructions; ``split_instructions`` reads it back."""
    return ("\n\n" if any("\n" in text for text in texts) else "\n").join(texts)


class _DateInput(forms.DateInput):
    """A text date in dd/mm/yyyy, the way Vietnamese users write dates."""

    def __init__(self) -> None:
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "input--date"}
        )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, checked by content (PDF, DOCX, images)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        cleaned = [single(upload, initial) for upload in uploads if upload]
        files = [upload for upload in cleaned if upload]
        if files:
            check_attachments(files)
        return files


def _model_field(model: Any, name: str, **kwargs: Any) -> Any:
    """The form field a model field makes (label, help text, length), with overrides."""
    made = model._meta.get_field(name).formfield(**kwargs)
    assert made is not None
    return made


def _text(name: str, rows: int, **kwargs: Any) -> Any:
    return _model_field(Directive, name, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


@dataclass
class Option:
    """One checkbox of a long choice list."""

    value: str
    label: str
    checked: bool
    hint: str = ""


@dataclass
class OptionGroup:
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def checked_count(self) -> int:
        return sum(1 for option in self.options if option.checked)


class _SearchInput(forms.TextInput):
    input_type = "search"
