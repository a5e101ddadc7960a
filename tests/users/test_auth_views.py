"""Log in, log out, change and reset a password, and the lockout after repeated failures."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from notifications.models import OutboundEmail
from notifications.tasks import deliver_email
from tests import factories
from tests.conftest import Tree
from tests.factories import DEMO_PASSWORD
from users.models import User

NEW_PASSWORD = "a-new-long-passphrase-42"


def test_login_page_is_vietnamese_and_says_who_creates_accounts(client: Client, db: None) -> None:
    response = client.get(reverse("login"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Đăng nhập" in page
    assert "quản trị hệ thống" in page
    assert 'autocomplete="current-password"' in page


def test_login_takes_the_user_to_the_home_page(client: Client, tree: Tree) -> None:
    user = factories.staff_of(tree.ubnd_cam_ngoc, username="hoa")

    response = client.post(reverse("login"), {"username": "hoa", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.context["user"] == user


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(
    client: Client, db: None
) -> None:
    factories.UserFactory.create(username="hoa")

    response = client.post(reverse("login"), {"username": "hoa", "password": "wrong"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_logout_ends_the_session(client: Client, tree: Tree) -> None:
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_change_sets_the_new_password(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    client.force_login(user)

    form = client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert form.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "Đã đổi mật khẩu" in client.get(reverse("password_change_done")).content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_email_lets_the_user_set_a_new_password(
    client: Client, db: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    user = factories.UserFactory.create(username="hoa", email="hoa@camngoc.gov.vn")

    sent = client.post(reverse("password_reset"), {"email": "hoa@camngoc.gov.vn"})

    assert sent["Location"] == reverse("password_reset_done")
    assert client.get(reverse("password_reset_done")).status_code == 200
    # The request only queues the email; the Celery task (run here directly) sends it.
    assert mailoutbox == []
    [queued] = OutboundEmail.objects.filter(to="hoa@camngoc.gov.vn")
    deliver_email(queued.pk)
    [mail] = mailoutbox
    assert mail.to == ["hoa@camngoc.gov.vn"]
    assert mail.subject == "Đặt lại mật khẩu trên Cổng quản lý trang mạng xã hội chính thức"
    assert mail.alternatives  # the HTML body goes with the text one
    # The link is built from the configured address, never from the request's Host.
    link = re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/reset/\S+/)", str(mail.body)
    )
    assert link is not None

    # Django swaps the token for a session marker and redirects to the form.
    form_url = client.get(link.group(1))["Location"]
    form = client.get(form_url)
    assert form.context["validlink"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done["Location"] == reverse("password_reset_complete")
    assert client.get(reverse("password_reset_complete")).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = client.get(link.group(1), follow=True)
    assert not again.context["validlink"]


def test_unknown_email_gets_the_same_answer_and_no_mail(
    client: Client, db: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.vn"})

    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_five_failed_logins_lock_the_account(client: Client, db: None) -> None:
    factories.UserFactory.create(username="hoa")

    failures = [
        client.post(reverse("login"), {"username": "hoa", "password": f"wrong-{n}"})
        for n in range(5)
    ]
    with_right_password = client.post(
        reverse("login"), {"username": "hoa", "password": DEMO_PASSWORD}
    )

    assert [r.status_code for r in failures[:4]] == [200] * 4
    assert failures[4].status_code == 429
    assert with_right_password.status_code == 429
    page = with_right_password.content.decode()
    assert "tạm khóa" in page
    assert "15" in page
    assert not User.objects.get(username="hoa").last_login
