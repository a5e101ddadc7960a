"""Logging in in two steps, and the second factor's own pages.

Step one is Django's ``LoginView`` with whatever ``authentication_form`` the URLconf gives it
(the lockout and the per-account guessing limit live there). A user with an authenticator is
not logged in by it: the session only remembers, for a few minutes, who gave the right
password. Step two (``login_code``) asks for a code and only then calls Django's ``login()``
and django-otp's, so the session is authenticated and verified at the same moment.

The same code step also serves a signed-in session that has not passed the second factor
(``users.otp_middleware`` sends required users there), and the setup page serves required
users who have no authenticator yet.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from audit.models import AuditAction
from audit.services import record
from users import otp
from users.models import User
from users.otp_forms import CodeForm, SetupForm
from users.requests import AuthenticatedHttpRequest

# Who gave the right password and still owes a code: {"user", "backend", "at", "next"}.
PENDING_KEY = "otp_pending"
# Wrong codes in this session since the password (or since the code step was reached).
WRONG_KEY = "otp_wrong"
# Recovery codes waiting to be shown, once.
NEW_CODES_KEY = "otp_new_codes"
# The password step is good for this long: then the password must be typed again.
PENDING_SECONDS = 5 * 60
# After this many wrong codes the password must be typed again (each device also makes the
# next try wait longer and longer, across sessions: see users.otp.verify_code).
MAX_WRONG_CODES = 5


class LoginView(auth_views.LoginView):
    """Step one: the password. Users without an authenticator are logged in at once."""

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not otp.is_enrolled(user):
            return super().form_valid(form)
        session = self.request.session
        # Another person may have used this browser: the half-done login starts afresh.
        session.cycle_key()
        session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        session.pop(WRONG_KEY, None)
        return redirect("login_otp")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any] | None]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    if time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None, None
    user = User.objects.filter(pk=int(pending.get("user", 0)), is_active=True).first()
    return user, pending


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _abandon(request: HttpRequest) -> None:
    """Too many wrong codes: forget the password step, or log the session out."""
    if request.user.is_authenticated:
        auth_logout(request)
    else:
        request.session.pop(PENDING_KEY, None)
        request.session.pop(WRONG_KEY, None)


def _record_failure(user: User, verification: otp.Verification) -> None:
    # Like a failed login, the attempt names the account without being its owner's act.
    record(
        action=AuditAction.OTP_FAILED,
        anonymous=True,
        username=user.get_username(),
        note="refused: waiting after repeated failures" if verification.wait_until else "",
    )


def _code_error(verification: otp.Verification) -> str:
    if verification.wait_until is not None:
        seconds = max(1, int(verification.wait_until.timestamp() - time.time()) + 1)
        return ngettext(
            "Too many wrong codes in a row: wait %(seconds)d second and try again.",
            "Too many wrong codes in a row: wait %(seconds)d seconds and try again.",
            seconds,
        ) % {"seconds": seconds}
    if verification.recovery:
        return _("This recovery code is not valid, or it has already been used.")
    return _(
        "This code is not right. Type the code your app shows now, and check that the "
        "phone's clock is set automatically."
    )


def _recovery_notice(request: HttpRequest, verification: otp.Verification) -> None:
    left = verification.recovery_left
    messages.warning(
        request,
        ngettext(
            "You logged in with a recovery code; it cannot be used again. %(count)d code is "
            "left: make new ones on the two-step verification page.",
            "You logged in with a recovery code; it cannot be used again. %(count)d codes "
            "are left: make new ones on the two-step verification page if you are running short.",
            left,
        )
        % {"count": left},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponseBase:
    """Step two: a code from the authenticator app, or a recovery code."""
    signed_in = request.user.is_authenticated
    user: User | None
    if request.user.is_authenticated:
        if otp.session_verified(request.user):
            return redirect(_safe_next(request, request.GET.get("next")))
        user = request.user
        pending = None
        next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    else:
        user, pending = _pending_user(request)
        if user is None or pending is None:
            messages.info(request, _("Enter your username and password first."))
            return redirect("login")
        next_url = _safe_next(request, pending.get("next"))
    if user is None or not otp.is_enrolled(user):
        if signed_in:
            return redirect(_with_next("otp_setup", next_url))
        request.session.pop(PENDING_KEY, None)
        return redirect("login")

    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        verification = otp.verify_code(user, form.cleaned_data["code"])
        if verification.ok:
            request.session.pop(WRONG_KEY, None)
            if pending is not None:
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=pending["backend"])
            else:
                # The session gains a privilege: give it a new key, as a login does.
                request.session.cycle_key()
            otp_login(request, verification.device)
            if verification.recovery:
                _recovery_notice(request, verification)
            return redirect(next_url)
        _record_failure(user, verification)
        wrong = int(request.session.get(WRONG_KEY, 0)) + 1
        request.session[WRONG_KEY] = wrong
        if wrong >= MAX_WRONG_CODES:
            _abandon(request)
            messages.error(request, _("Too many wrong codes: log in again."))
            return redirect("login")
        form.add_error("code", _code_error(verification))
    return render(
        request,
        "registration/login_otp.html",
        {"form": form, "next": next_url if signed_in else "", "signed_in": signed_in},
    )


def admin_login(request: HttpRequest) -> HttpResponseBase:
    """The admin site's login page would skip the second factor: use the portal's."""
    next_url = _safe_next(request, request.GET.get("next") or reverse("admin:index"))
    return redirect(_with_next("login", next_url))


@login_required
@never_cache
def otp_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whether the second factor is on, how many recovery codes are left, what to do."""
    user = request.user
    enrolled = otp.is_enrolled(user)
    return render(
        request,
        "users/otp_overview.html",
        {
            "enrolled": enrolled,
            "required": otp.required_for(user),
            "codes_left": otp.recovery_codes_left(user) if enrolled else 0,
            "form": CodeForm(),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Enrolment: scan the QR code (or type the secret), then prove it with a code."""
    user = request.user
    next_url = _safe_next(
        request, request.POST.get("next") or request.GET.get("next") or reverse("otp_overview")
    )
    if otp.is_enrolled(user):
        if not otp.session_verified(request.user):
            return redirect(_with_next("login_otp", next_url))
        messages.info(request, _("Two-step verification is already on for your account."))
        return redirect("otp_overview")
    device = otp.pending_authenticator(user)
    form = SetupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm_authenticator(user, device, form.cleaned_data["code"])
        if codes is not None:
            request.session.cycle_key()
            otp_login(request, device)
            request.session[NEW_CODES_KEY] = codes
            messages.success(request, _("Two-step verification is now on for your account."))
            return redirect(_with_next("otp_codes", next_url))
        form.add_error(
            "code",
            _(
                "This code is not right. Type the code the app shows now (wait a second "
                "after a wrong one), and check that the phone's clock is set automatically."
            ),
        )
    return render(
        request,
        "users/otp_setup.html",
        {
            "form": form,
            "qr": otp.qr_svg(device, labelled_by="otp-qr-caption"),
            "secret": otp.secret_text(device),
            "account": user.get_username(),
            "issuer": settings.OTP_TOTP_ISSUER,
            "required": otp.required_for(user),
            "next": next_url,
        },
    )


@login_required
@never_cache
def otp_codes(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The new recovery codes, shown this once."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. If you lost them, make new ones here."),
        )
        return redirect("otp_overview")
    next_url = _safe_next(request, request.GET.get("next") or reverse("otp_overview"))
    return render(request, "users/otp_codes.html", {"codes": codes, "next": next_url})


def _checked_code(request: AuthenticatedHttpRequest) -> tuple[CodeForm, bool]:
    """A posted code checked against the user's own devices (an audited failure if wrong)."""
    form = CodeForm(request.POST)
    if not form.is_valid():
        return form, False
    verification = otp.verify_code(request.user, form.cleaned_data["code"])
    if verification.ok:
        return form, True
    _record_failure(request.user, verification)
    form.add_error("code", _code_error(verification))
    return form, False


@login_required
@never_cache
@require_POST
def otp_regenerate(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Ten new recovery codes in place of the old ones, after a current code."""
    user = request.user
    if not otp.is_enrolled(user):
        return redirect("otp_overview")
    form, ok = _checked_code(request)
    if not ok:
        return render(
            request,
            "users/otp_overview.html",
            {
                "enrolled": True,
                "required": otp.required_for(user),
                "codes_left": otp.recovery_codes_left(user),
                "form": form,
            },
            status=400,
        )
    request.session[NEW_CODES_KEY] = otp.issue_recovery_codes(user)
    record(action=AuditAction.OTP_ENABLE, actor=user, obj=user, note="recovery codes renewed")
    messages.success(request, _("New recovery codes were made; the old ones no longer work."))
    return redirect("otp_codes")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_disable(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Turn the second factor off (a current code is needed): for a new phone, say."""
    user = request.user
    if not otp.is_enrolled(user):
        return redirect("otp_overview")
    required = otp.required_for(user)
    form = CodeForm()
    if request.method == "POST":
        form, ok = _checked_code(request)
        if ok:
            otp.turn_off(user)
            if required:
                messages.warning(
                    request,
                    _(
                        "Two-step verification was turned off. Your role requires it: set it up again."
                    ),
                )
                return redirect("otp_setup")
            messages.success(request, _("Two-step verification was turned off for your account."))
            return redirect("otp_overview")
    return render(request, "users/otp_disable.html", {"form": form, "required": required})
