"""The spokesperson (người phát ngôn) of a body, under Decree 09/2017/NĐ-CP.

Kept like the contact person (``services.contacts``): the same person (same full name,
ignoring case, diacritics and spacing) is corrected in place, with the old values in the
history; another person archives the current record and creates a new one. Nothing is
deleted. A spokesperson is not reviewed; the body's reviewers are told of each change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import Spokesperson
from accounts_registry.services.contacts import normalise_phone
from accounts_registry.services.notices import tell_reviewers
from portal.history import record_by
from portal.text import fold, nfc
from units.models import Body

SPOKESPERSON_SET = _("%(body)s set its spokesperson: %(name)s, %(phone)s")
SPOKESPERSON_CLEARED = _("%(body)s has no spokesperson recorded any more (was %(name)s)")

FIELDS = ("name", "position", "phone", "email", "decision_number", "decision_date")


def current_spokesperson(body: Body) -> Spokesperson | None:
    return Spokesperson.objects.filter(body=body, archived_at__isnull=True).order_by("pk").first()


def _validated(
    *,
    name: str,
    position: str,
    phone: str,
    email: str,
    decision_number: str,
    decision_date: date | None,
) -> dict[str, Any]:
    """The values, normalised (NFC, single spaces, national phone form), or field errors."""
    values: dict[str, Any] = {
        "name": " ".join(nfc(name).split()),
        "position": " ".join(nfc(position).split()),
        "phone": phone,
        "email": email.strip(),
        "decision_number": nfc(decision_number).strip(),
        "decision_date": decision_date,
    }
    errors: dict[str, Any] = {}
    if not values["name"]:
        errors["name"] = ValidationError(_("Enter the spokesperson's full name."), code="required")
    try:
        values["phone"] = normalise_phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = ValidationError(_("Enter a valid email address."), code="invalid")
    if decision_date is not None and decision_date > timezone.localdate():
        errors["decision_date"] = ValidationError(
            _("The decision's date cannot be in the future."), code="future_decision"
        )
    if bool(values["decision_number"]) != (decision_date is not None):
        key = "decision_date" if values["decision_number"] else "decision_number"
        errors.setdefault(
            key,
            ValidationError(
                _("Give both the number and the date of the appointing decision, or neither."),
                code="decision_incomplete",
            ),
        )
    if errors:
        raise ValidationError(errors)
    return values


def _history_key(spokesperson: Spokesperson) -> str:
    latest = spokesperson.history.order_by("-history_id").values_list("history_id", flat=True)
    return f"spokesperson:{latest[0]}"


@transaction.atomic
def spokesperson_set(
    *,
    body: Body,
    name: str,
    phone: str,
    by: Any,
    position: str = "",
    email: str = "",
    decision_number: str = "",
    decision_date: date | None = None,
) -> Spokesperson:
    """Record the body's spokesperson: correct the same person, or replace another."""
    if body.archived_at is not None:
        raise ValidationError(_("An archived body cannot change its records."), code="archived")
    values = _validated(
        name=name,
        position=position,
        phone=phone,
        email=email,
        decision_number=decision_number,
        decision_date=decision_date,
    )
    # The body row serialises concurrent changes, as for contacts.
    Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
    current = current_spokesperson(body)
    if current is not None and fold(current.name) == fold(values["name"]):
        if all(getattr(current, key) == value for key, value in values.items()):
            return current
        for key, value in values.items():
            setattr(current, key, value)
        spokesperson = current
    else:
        if current is not None:
            current.archived_at = timezone.now()
            record_by(current, by)
            current.save(update_fields=["archived_at", "updated_at"])
        spokesperson = Spokesperson(body=body, **values)
    spokesperson.full_clean()
    record_by(spokesperson, by)
    spokesperson.save()
    tell_reviewers(
        body=body,
        text=SPOKESPERSON_SET,
        values={"name": spokesperson.name, "phone": spokesperson.phone},
        key=_history_key(spokesperson),
        by=by,
    )
    return spokesperson


@transaction.atomic
def spokesperson_clear(*, body: Body, by: Any) -> Spokesperson | None:
    """Archive the body's spokesperson (no one holds the role now); None if there was none."""
    Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
    current = current_spokesperson(body)
    if current is None:
        return None
    current.archived_at = timezone.now()
    record_by(current, by)
    current.save(update_fields=["archived_at", "updated_at"])
    tell_reviewers(
        body=body,
        text=SPOKESPERSON_CLEARED,
        values={"name": current.name},
        key=_history_key(current),
        by=by,
    )
    return current
