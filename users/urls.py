"""Login, logout, password change and reset (Django's own views, our templates), and the
user's notification settings."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.site import PORTAL_NAME
from users import tokens_views, views, views_otp
from users.forms import LoginForm, PasswordResetForm, SetPasswordForm

urlpatterns = [
    path("notifications/", views.notification_settings, name="notification_settings"),
    # Two steps: the password (LoginView with the configured authentication form), then a
    # code for users with an authenticator (users/views_otp.py).
    path(
        "login/",
        views_otp.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("login/code/", views_otp.login_code, name="login_otp"),
    path("second-factor/", views_otp.otp_overview, name="otp_overview"),
    path("second-factor/setup/", views_otp.otp_setup, name="otp_setup"),
    path("second-factor/recovery-codes/", views_otp.otp_codes, name="otp_codes"),
    path("second-factor/recovery-codes/new/", views_otp.otp_regenerate, name="otp_regenerate"),
    path("second-factor/turn-off/", views_otp.otp_disable, name="otp_disable"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", tokens_views.token_list, name="api_tokens"),
    path("tokens/<uuid:pk>/revoke/", tokens_views.token_revoke, name="api_token_revoke"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
            # Without the sites framework Django would name the portal by its host name.
            extra_email_context={"site_name": PORTAL_NAME},
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
