"""Contact persons (đầu mối liên lạc): a body's default, and per-page overrides.

Replacing a contact never deletes anything. When the new contact is the same person (same
full name, ignoring case, diacritics and spacing) the current record is updated in place:
a new phone number or a notifying letter is a correction, and simple-history keeps the old
values. When it is another person, the current record is archived (``archived_at``) and a
new one created, so the register shows who was the contact and until when.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import ContactPerson, SocialPage
from accounts_registry.selectors.bodies import effective_contact, with_effective_contact
from accounts_registry.services.notices import tell_reviewers
from portal.history import record_by
from portal.text import fold, nfc
from units.models import Body

__all__ = [
    "contact_clear_page_override",
    "contact_set",
    "effective_contact",
    "normalise_phone",
    "with_effective_contact",
]

CONTACT_SET = _("%(body)s set its contact person: %(name)s, %(phone)s")
PAGE_CONTACT_SET = _("%(body)s set the contact person of page “%(page)s”: %(name)s, %(phone)s")
PAGE_CONTACT_CLEARED = _("Page “%(page)s” of %(body)s uses the body's contact person again")

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers: 10 digits, 03/05/07/08/09. Landlines since 2017: 02 + area code + number,
# 11 digits. Hotlines 1800/1900 are not a person's number and are refused.
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def normalise_phone(value: str) -> str:
    """Return a Vietnamese phone number in national form ("0912345678"), or raise.

    Spaces, dots, dashes and brackets are dropped; "+84" (or "0084") becomes "0".
    """
    compact = _SEPARATORS.sub("", value or "")
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("0084"):
        compact = "0" + compact[4:]
    if compact.startswith("00"):
        compact = compact[1:]  # "+84 (0) 912…" written with the trunk zero kept
    if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
        return compact
    raise ValidationError(
        {
            "phone": ValidationError(
                _(
                    "Enter a Vietnamese phone number: a mobile number of 10 digits starting "
                    "with 0 (or +84), or a landline starting with 02 (11 digits)."
                ),
                code="invalid_phone",
            )
        }
    )


def _validate_notice(notice_number: str, notice_date: date | None) -> None:
    errors: dict[str, Any] = {}
    if notice_date is not None and notice_date > timezone.localdate():
        errors["notice_date"] = ValidationError(
            _("The letter's date cannot be in the future."), code="future_notice"
        )
    if bool(notice_number) != (notice_date is not None):
        message = _("Give both the number and the date of the notifying letter, or neither.")
        key = "notice_date" if notice_number else "notice_number"
        errors.setdefault(key, ValidationError(message, code="notice_incomplete"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contact_set(
    *,
    body: Body,
    page: SocialPage | None = None,
    name: str,
    position: str = "",
    phone: str,
    email: str = "",
    notice_number: str = "",
    notice_date: date | None = None,
    by: Any,
) -> ContactPerson:
    """Set the body's default contact (``page`` None) or a page's own contact."""
    if page is not None and page.body_id != body.pk:
        raise ValidationError(
            {"page": _("This page belongs to another body.")}, code="page_of_other_body"
        )
    name = " ".join(nfc(name).split())
    position = " ".join(nfc(position).split())
    notice_number = nfc(notice_number).strip()
    email = email.strip()
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = ValidationError(_("Enter the contact's full name."), code="required")
    try:
        phone = normalise_phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ValidationError(_("Enter a valid email address."), code="invalid")
    try:
        _validate_notice(notice_number, notice_date)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    # Lock the body row: two concurrent changes (or two first contacts) are serialised
    # instead of both archiving the same record or both inserting a current one.
    Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
    current = (
        ContactPerson.objects.filter(body=body, page=page, archived_at__isnull=True)
        .order_by("pk")
        .first()
    )
    values = {
        "name": name,
        "position": position,
        "phone": phone,
        "email": email,
        "notice_number": notice_number,
        "notice_date": notice_date,
    }
    if current is not None and fold(current.name) == fold(name):
        if all(getattr(current, key) == value for key, value in values.items()):
            return current
        for key, value in values.items():
            setattr(current, key, value)
        current.full_clean()
        record_by(current, by)
        current.save()
        _tell_contact_set(current, body=body, page=page, by=by)
        return current
    if current is not None:
        current.archived_at = timezone.now()
        record_by(current, by)
        current.save(update_fields=["archived_at", "updated_at"])
    contact = ContactPerson(body=body, page=page, **values)
    contact.full_clean()
    record_by(contact, by)
    contact.save()
    _tell_contact_set(contact, body=body, page=page, by=by)
    return contact


def _history_key(contact: ContactPerson) -> str:
    """The event's key: the history row the change just wrote, unique per change."""
    latest = contact.history.order_by("-history_id").values_list("history_id", flat=True)
    history_id = latest[0]
    return f"contact:{history_id}"


def _tell_contact_set(
    contact: ContactPerson, *, body: Body, page: SocialPage | None, by: Any
) -> None:
    """No review applies to a contact; the body's reviewers are told it changed."""
    values = {"name": contact.name, "phone": contact.phone}
    if page is not None:
        values["page"] = page.display_name
    tell_reviewers(
        body=body,
        text=CONTACT_SET if page is None else PAGE_CONTACT_SET,
        values=values,
        key=_history_key(contact),
        by=by,
    )


@transaction.atomic
def contact_clear_page_override(*, page: SocialPage, by: Any) -> ContactPerson | None:
    """Archive a page's own contact so that its body's default applies again."""
    Body.objects.select_for_update().filter(pk=page.body_id).values_list("pk").get()
    current = (
        ContactPerson.objects.filter(page=page, archived_at__isnull=True).order_by("pk").first()
    )
    if current is None:
        return None
    current.archived_at = timezone.now()
    record_by(current, by)
    current.save(update_fields=["archived_at", "updated_at"])
    tell_reviewers(
        body=page.body,
        text=PAGE_CONTACT_CLEARED,
        values={"page": page.display_name},
        key=_history_key(current),
        by=by,
    )
    return current
