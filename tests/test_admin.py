"""The admin for system administrators: pages load within budget, nothing is hard-deleted."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import OutboundEmail
from tests import factories
from tests.conftest import Tree
from units.models import Body, BodyTransfer, Reorganisation
from users.models import Role, RoleAssignment, User

CHANGELISTS = [
    "units_unitlevel",
    "units_administrativeunit",
    "units_body",
    "units_reorganisation",
    "users_user",
    "users_roleassignment",
    "notifications_outboundemail",
]


@pytest.fixture
def superuser(db: None) -> User:
    # No password: the client logs in with force_login, and Argon2 hashing is slow.
    return User.objects.create(username="quan.tri", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


def _add_rows(tree: Tree, n: int) -> None:
    """Rows for every changelist, each with the relations its columns show."""
    for i in range(n):
        unit = factories.commune(tree.cam_thuy, f"Xã Thêm {n}-{i}")
        body = factories.BodyFactory.create(unit=unit, supervising_body=tree.vhtt_cam_thuy)
        # Created directly: hashing a password per row would only slow the test down.
        staff = User.objects.create(username=f"staff-{n}-{i}", full_name=f"Cán bộ {i}")
        RoleAssignment.objects.create(user=staff, role=Role.BODY_STAFF, body=body)
        RoleAssignment.objects.create(user=staff, role=Role.UNIT_OFFICER, unit=unit)
        reorganisation = Reorganisation.objects.create(
            kind="rename", effective_on="2025-07-01", successor=unit
        )
        reorganisation.predecessors.add(tree.cam_ngoc)
        BodyTransfer.objects.create(
            reorganisation=reorganisation, body=body, from_unit=tree.cam_ngoc, to_unit=unit
        )
        OutboundEmail.objects.create(to=f"a{i}@example.gov.vn", subject="x", text_body="x")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_changelists_load_within_a_budget_that_does_not_grow_with_rows(
    admin_client: Client, tree: Tree, changelist: str, django_assert_max_num_queries: Any
) -> None:
    url = reverse(f"admin:{changelist}_changelist")
    _add_rows(tree, 2)
    few = _queries(admin_client, url)

    _add_rows(tree, 8)
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert _queries(admin_client, url) == few


@pytest.mark.parametrize(
    ("model", "obj"),
    [
        ("units_administrativeunit", "cam_ngoc"),
        ("units_body", "ubnd_cam_ngoc"),
    ],
)
def test_change_pages_and_history_load(
    admin_client: Client, tree: Tree, model: str, obj: str
) -> None:
    pk = getattr(tree, obj).pk

    change = admin_client.get(reverse(f"admin:{model}_change", args=[pk]))
    history = admin_client.get(reverse(f"admin:{model}_history", args=[pk]))

    assert change.status_code == 200
    assert history.status_code == 200


def test_user_change_page_shows_roles_inline(admin_client: Client, tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy, full_name="Lê Thị Hoa")

    response = admin_client.get(reverse("admin:users_user_change", args=[officer.pk]))

    assert response.status_code == 200
    assert "Lê Thị Hoa" in response.content.decode()
    assert "role_assignments-0-role" in response.content.decode()


def _inline_post(user: User, **role: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "01/01/2025",
        "date_joined_1": "08:00:00",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        **{f"role_assignments-0-{key}": value for key, value in role.items()},
    }


def test_a_role_without_its_anchor_is_refused_in_the_admin(
    admin_client: Client, tree: Tree
) -> None:
    user = factories.UserFactory.create()

    response = admin_client.post(
        reverse("admin:users_user_change", args=[user.pk]),
        _inline_post(user, role=Role.BODY_STAFF, unit=tree.cam_ngoc.pk),
    )

    assert response.status_code == 200  # the form again, with the error
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_valid_role_is_saved_from_the_user_page(admin_client: Client, tree: Tree) -> None:
    user = factories.UserFactory.create()

    response = admin_client.post(
        reverse("admin:users_user_change", args=[user.pk]),
        _inline_post(user, role=Role.UNIT_OFFICER, unit=tree.cam_thuy.pk),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert RoleAssignment.objects.get(user=user).unit == tree.cam_thuy


def test_bodies_cannot_be_deleted_from_the_admin(admin_client: Client, tree: Tree) -> None:
    changelist = admin_client.get(reverse("admin:units_body_changelist"))
    change = admin_client.get(reverse("admin:units_body_change", args=[tree.ubnd_cam_ngoc.pk]))
    delete = admin_client.post(
        reverse("admin:units_body_delete", args=[tree.ubnd_cam_ngoc.pk]), {"post": "yes"}
    )
    bulk = admin_client.post(
        reverse("admin:units_body_changelist"),
        {"action": "delete_selected", "_selected_action": [tree.ubnd_cam_ngoc.pk], "post": "yes"},
    )

    actions = [name for name, _label in changelist.context["action_form"].fields["action"].choices]
    assert actions == ["", "archive_selected"]
    assert reverse("admin:units_body_delete", args=[tree.ubnd_cam_ngoc.pk]) not in (
        change.content.decode()
    )
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)
    assert Body.objects.filter(pk=tree.ubnd_cam_ngoc.pk).exists()


def test_units_cannot_be_deleted_from_the_admin(admin_client: Client, tree: Tree) -> None:
    response = admin_client.post(
        reverse("admin:units_administrativeunit_delete", args=[tree.cam_ngoc.pk]), {"post": "yes"}
    )

    assert response.status_code == 403


def test_archive_action_archives_with_history(admin_client: Client, tree: Tree) -> None:
    response = admin_client.post(
        reverse("admin:units_body_changelist"),
        {
            "action": "archive_selected",
            "_selected_action": [tree.ubnd_cam_ngoc.pk, tree.ubnd_cam_thanh.pk],
        },
    )

    tree.ubnd_cam_ngoc.refresh_from_db()
    assert response.status_code == 302
    assert tree.ubnd_cam_ngoc.archived_at is not None
    assert Body.objects.filter(archived_at__isnull=False).count() == 2
    last = tree.ubnd_cam_ngoc.history.first()
    assert last.archived_at is not None
    assert last.history_user is not None
    assert last.history_user.is_superuser


def test_a_units_parent_cannot_be_changed_in_the_admin(admin_client: Client, tree: Tree) -> None:
    response = admin_client.get(
        reverse("admin:units_administrativeunit_change", args=[tree.cam_ngoc.pk])
    )

    assert 'name="parent"' not in response.content.decode()


@pytest.mark.parametrize("term", ["cam ngoc", unicodedata.normalize("NFD", "Cẩm Ngọc")])
def test_admin_search_ignores_diacritics(admin_client: Client, tree: Tree, term: str) -> None:
    units = admin_client.get(reverse("admin:units_administrativeunit_changelist"), {"q": term})
    bodies = admin_client.get(reverse("admin:units_body_changelist"), {"q": term})

    assert list(units.context["cl"].result_list) == [tree.cam_ngoc]
    assert list(bodies.context["cl"].result_list) == [tree.ubnd_cam_ngoc]


def test_reorganisations_are_read_only(admin_client: Client, tree: Tree) -> None:
    reorganisation = Reorganisation.objects.create(
        kind="merge", effective_on="2025-07-01", successor=tree.cam_ngoc
    )

    add = admin_client.get(reverse("admin:units_reorganisation_add"))
    view = admin_client.get(reverse("admin:units_reorganisation_change", args=[reorganisation.pk]))

    assert add.status_code == 403
    assert view.status_code == 200
    assert 'name="kind"' not in view.content.decode()


@pytest.mark.parametrize(
    "model", ["users_user", "units_body", "units_administrativeunit", "units_unitlevel"]
)
def test_add_pages_load(admin_client: Client, db: None, model: str) -> None:
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_body_autocomplete_finds_supervising_bodies_without_diacritics(
    admin_client: Client, tree: Tree
) -> None:
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "phong van hoa",
            "app_label": "units",
            "model_name": "body",
            "field_name": "supervising_body",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy"
    ]
