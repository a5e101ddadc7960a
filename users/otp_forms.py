"""Forms of the second factor: a code from the authenticator app, or a recovery code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Long enough for a recovery code typed with spaces or dashes, short enough to refuse junk.
_CODE_MAX_LENGTH = 40


class CodeForm(forms.Form):
    """Six digits from the app, or a recovery code (either is accepted where this is used)."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=_CODE_MAX_LENGTH,
        strip=True,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Enter the code.")},
    )


class SetupForm(forms.Form):
    """The first code the app shows, proving it holds the secret."""

    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=_CODE_MAX_LENGTH,
        strip=True,
        help_text=_("Six digits; a new code appears every 30 seconds."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the code.")},
    )
