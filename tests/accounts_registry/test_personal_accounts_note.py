"""Officials' personal accounts (Quy định 85-QĐ/TW) are out of the register, and the
portal says so where users look for them (#13)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import Tree

pytestmark = pytest.mark.django_db

NOTE = "Tài khoản cá nhân của cán bộ không thuộc sổ đăng ký này"


@pytest.mark.parametrize("name", ["public:verify", "public:directory"])
def test_the_public_pages_say_personal_accounts_are_not_registered(name: str) -> None:
    html = Client().get(reverse(name)).content.decode()

    assert NOTE in html
    assert "85-QĐ/TW" in html


def test_the_registration_form_says_so_too(tree: Tree) -> None:
    client = Client()
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    html = client.get(reverse("registry:page_register")).content.decode()

    assert NOTE in html
