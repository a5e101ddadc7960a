"""Forms of a body's registry page: contact person and posting rules upload.

The forms only collect input; the services validate and save, and their errors are put
back on the form's fields.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts_registry.files import max_rules_bytes
from accounts_registry.models import ContactPerson, Spokesperson


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("Mobile (10 digits, e.g. 0912 345 678 or +84 912 345 678) or landline."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    notice_number = forms.CharField(
        label=_("Number of the notifying letter"),
        max_length=60,
        required=False,
        help_text=_(
            "The letter notifying this contact to the supervising body and the provincial "
            "information department."
        ),
    )
    notice_date = forms.DateField(
        label=_("Date of the notifying letter"),
        required=False,
        help_text=_("dd/mm/yyyy"),
    )

    @classmethod
    def for_contact(cls, contact: ContactPerson | None, **kwargs: object) -> ContactForm:
        """A form prefilled with the current contact, if any."""
        initial = (
            {
                "name": contact.name,
                "position": contact.position,
                "phone": contact.phone,
                "email": contact.email,
                "notice_number": contact.notice_number,
                "notice_date": contact.notice_date,
            }
            if contact is not None
            else {}
        )
        return cls(initial=initial, **kwargs)  # type: ignore[arg-type]


class SpokespersonForm(forms.Form):
    """The body's spokesperson (Decree 09/2017/NĐ-CP), beside its contact person."""

    name = forms.CharField(label=_("Full name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("Mobile (10 digits, e.g. 0912 345 678 or +84 912 345 678) or landline."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    decision_number = forms.CharField(
        label=_("Number of the appointing decision"),
        max_length=60,
        required=False,
        help_text=_("The decision appointing the spokesperson (Decree 09/2017/NĐ-CP)."),
    )
    decision_date = forms.DateField(
        label=_("Date of the appointing decision"),
        required=False,
        help_text=_("dd/mm/yyyy"),
    )

    @classmethod
    def for_spokesperson(
        cls, spokesperson: Spokesperson | None, **kwargs: object
    ) -> SpokespersonForm:
        """A form prefilled with the current spokesperson, if any."""
        initial = (
            {name: getattr(spokesperson, name) for name in cls.base_fields}
            if spokesperson is not None
            else {}
        )
        return cls(initial=initial, **kwargs)  # type: ignore[arg-type]


class RulesUploadForm(forms.Form):
    document_number = forms.CharField(label=_("Document number"), max_length=60)
    issued_on = forms.DateField(label=_("Issued on"), help_text=_("dd/mm/yyyy"))
    signed_by = forms.CharField(label=_("Signed by"), max_length=150)
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Read when the form is built, so a changed setting shows in the hint at once.
        self.fields["file"].help_text = _("PDF or DOCX, at most %(limit)s.") % {
            "limit": filesizeformat(max_rules_bytes())
        }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
