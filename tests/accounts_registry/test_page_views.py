"""The pages of the register of official pages: per role, scope, filters, workflow, budgets."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts_registry.models import PageState, SocialPage
from accounts_registry.services import pages as services
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree
from users.models import User

ROLES: dict[str, Callable[[Tree], User]] = {
    "commune staff": lambda tree: factories.staff_of(tree.ubnd_cam_ngoc),
    "district officer": lambda tree: factories.officer_of(tree.cam_thuy),
    "province officer": lambda tree: factories.officer_of(tree.thanh_hoa),
    "system admin": lambda tree: factories.admin_user(),
}

# Session, user, grants, the filter form's choices and the page's own reads: flat in the data.
LIST_BUDGET = 12
DETAIL_BUDGET = 10


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _list(client: Client, **params: str) -> str:
    response = client.get(reverse("registry:page_list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_page_list_renders_for_each_role_within_budget(
    client: Client, tree: Tree, role: str, django_assert_max_num_queries: Callable
) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang UBND xã Cẩm Ngọc")
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(LIST_BUDGET):
        content = _list(client)

    assert "Trang UBND xã Cẩm Ngọc" in content


@pytest.mark.parametrize("role", ROLES)
def test_page_detail_renders_for_each_role_within_budget(
    client: Client, tree: Tree, role: str, django_assert_max_num_queries: Callable
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved", display_name="Trang UBND xã Cẩm Ngọc")
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(reverse("registry:page_detail", args=[page.pk]))

    assert response.status_code == 200
    assert "Trang UBND xã Cẩm Ngọc" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc)

    for url in (reverse("registry:page_list"), reverse("registry:page_detail", args=[page.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_list_shows_only_pages_in_scope(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    make.page(tree.ubnd_dien_lu, display_name="Trang Điền Lư")
    make.page(tree.ubnd_muong_khoa, display_name="Trang Mường Khoa")

    staff = _list(logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc)))
    district = _list(logged_in(Client(), factories.officer_of(tree.cam_thuy)))
    province = _list(logged_in(Client(), factories.officer_of(tree.thanh_hoa)))

    assert "Trang Cẩm Ngọc" in staff
    assert "Trang Điền Lư" not in staff
    assert "Trang Cẩm Ngọc" in district
    assert "Trang Điền Lư" not in district
    assert "Trang Điền Lư" in province
    assert "Trang Mường Khoa" not in province


def test_out_of_scope_pages_are_not_found(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_dien_lu, state="submitted")
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    assert client.get(reverse("registry:page_detail", args=[page.pk])).status_code == 404
    assert client.get(reverse("registry:page_edit", args=[page.pk])).status_code == 404
    for name in ("page_submit", "page_approve", "page_return", "page_confirm", "page_archive"):
        assert client.post(reverse(f"registry:{name}", args=[page.pk])).status_code == 404
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_list_budget_is_flat_from_five_to_thirty_pages(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    logged_in(client, factories.officer_of(tree.thanh_hoa))
    for _ in range(5):
        make.page(tree.ubnd_cam_ngoc)
    with django_assert_max_num_queries(LIST_BUDGET):
        small = _list(client)
    for _ in range(25):
        make.page(tree.ubnd_dien_lu)
    make.contact(tree.ubnd_dien_lu)
    make.rules(tree.ubnd_dien_lu)

    with django_assert_max_num_queries(LIST_BUDGET):
        large = _list(client)

    assert small.count("page-table__url") == 5
    assert large.count("page-table__url") == 30


def test_search_ignores_case_and_diacritics(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Cổng thông tin xã Cẩm Ngọc")
    make.page(tree.ubnd_dien_lu, display_name="Trang Điền Lư")
    logged_in(client, factories.admin_user())

    for query in ("cam ngoc", "CẨM NGỌC", unicodedata.normalize("NFD", "Cẩm Ngọc")):
        content = _list(client, q=query)
        assert "Cổng thông tin xã Cẩm Ngọc" in content
        assert "Trang Điền Lư" not in content
    assert "Trang Điền Lư" in _list(client, q="dien lu")


def test_filters_by_unit_subtree_body_platform_and_state(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc", state="approved")
    make.page(
        tree.ubnd_cam_thanh,
        display_name="Zalo Cẩm Thành",
        url="https://zalo.me/1234567890123456789",
        platform_code="zalo",
    )
    make.page(tree.ubnd_dien_lu, display_name="Trang Điền Lư")
    make.page(tree.ubnd_dien_lu, display_name="Trang cũ Điền Lư", state="archived")
    logged_in(client, factories.officer_of(tree.thanh_hoa))

    by_unit = _list(client, unit=str(tree.cam_thuy.pk))
    by_body = _list(client, body=str(tree.ubnd_cam_thanh.pk))
    by_platform = _list(client, platform="zalo")
    by_state = _list(client, state="approved")
    default = _list(client)
    archived = _list(client, state="archived")

    assert "Trang Cẩm Ngọc" in by_unit
    assert "Zalo Cẩm Thành" in by_unit
    assert "Trang Điền Lư" not in by_unit
    assert "Zalo Cẩm Thành" in by_body
    assert "Trang Cẩm Ngọc" not in by_body
    assert "Zalo Cẩm Thành" in by_platform
    assert "Trang Cẩm Ngọc" not in by_platform
    assert "Trang Cẩm Ngọc" in by_state
    assert "Trang Điền Lư" not in by_state
    assert "Trang cũ Điền Lư" not in default
    assert "Trang cũ Điền Lư" in archived
    assert "Trang Điền Lư<" not in archived


def test_a_filter_on_a_unit_out_of_scope_shows_nothing(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    logged_in(client, factories.officer_of(tree.cam_thuy))

    content = _list(client, unit=str(tree.lai_chau.pk))

    assert "Trang Cẩm Ngọc" not in content


def test_each_gap_filter_and_badge(client: Client, tree: Tree) -> None:
    # Cẩm Ngọc has a default contact and rules, and a verified page: no gaps at all.
    complete = make.page(
        tree.ubnd_cam_ngoc,
        display_name="Trang đầy đủ",
        state="approved",
        is_platform_verified=True,
    )
    make.contact(tree.ubnd_cam_ngoc)
    make.rules(tree.ubnd_cam_ngoc)
    # Cẩm Thành: rules but no contact; its page is approved long ago and not confirmed since.
    stale = make.page(
        tree.ubnd_cam_thanh,
        display_name="Trang quá hạn",
        state="approved",
        is_platform_verified=True,
    )
    SocialPage.objects.filter(pk=stale.pk).update(confirmed_at=timezone.now() - timedelta(days=365))
    make.rules(tree.ubnd_cam_thanh)
    # Điền Lư: a contact for the page itself (no body default), no rules, not verified.
    bare = make.page(tree.ubnd_dien_lu, display_name="Trang thiếu nội quy")
    make.contact(tree.ubnd_dien_lu, page=bare)
    logged_in(client, factories.admin_user())

    assert complete.pk
    no_contact = _list(client, gap="no_contact")
    no_rules = _list(client, gap="no_rules")
    not_verified = _list(client, gap="not_verified")
    needs_review = _list(client, gap="needs_review")
    everything = _list(client)

    assert "Trang quá hạn" in no_contact
    assert "Trang đầy đủ" not in no_contact
    assert "Trang thiếu nội quy" not in no_contact
    assert "Trang thiếu nội quy" in no_rules
    assert "Trang đầy đủ" not in no_rules
    assert "Trang quá hạn" not in no_rules
    assert "Trang thiếu nội quy" in not_verified
    assert "Trang đầy đủ" not in not_verified
    assert "Trang quá hạn" in needs_review
    assert "Trang đầy đủ" not in needs_review
    assert "Trang thiếu nội quy" not in needs_review
    assert everything.count('class="badge badge--warning badge--gap-no_contact"') == 1
    assert everything.count("badge--gap-no_rules") == 1
    assert everything.count("badge--gap-not_verified") == 1
    assert everything.count("badge--gap-needs_review") == 1


def test_an_archived_contact_does_not_count(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    make.contact(tree.ubnd_cam_ngoc, archived_at=timezone.now())
    logged_in(client, factories.admin_user())

    assert "Trang Cẩm Ngọc" in _list(client, gap="no_contact")


def test_staff_register_a_page_and_see_it_as_a_draft(client: Client, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    logged_in(client, staff)

    form = client.get(reverse("registry:page_register"))
    response = client.post(
        reverse("registry:page_register"),
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "platform": make.platform("facebook").pk,
            "url": "m.facebook.com/UBNDXaCamNgoc?ref=share",
            "display_name": "UBND xã Cẩm Ngọc",
            "is_platform_verified": "on",
            "platform_verified_on": "15/03/2024",
            "set_up_on": "01/02/2020",
        },
        follow=True,
    )

    assert form.status_code == 200
    assert "UBND Xã Điền Lư" not in form.content.decode()
    page = SocialPage.objects.get()
    assert page.url == "https://www.facebook.com/ubndxacamngoc"
    assert page.platform_verified_on is not None
    assert page.platform_verified_on.day == 15
    assert page.created_by == staff
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("registry:page_detail", args=[page.pk])
    assert "badge--state-draft" in content
    assert "15/03/2024" in content


def test_registering_a_page_of_another_body_shows_the_safe_message(
    client: Client, tree: Tree
) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")
    logged_in(client, factories.staff_of(tree.ubnd_dien_lu))

    response = client.post(
        reverse("registry:page_register"),
        {
            "body": tree.ubnd_dien_lu.pk,
            "platform": make.platform("facebook").pk,
            "url": "https://fb.com/ubndxacamngoc",
            "display_name": "Trang giả",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "field--error" in content
    assert "Cẩm Ngọc" not in content.replace("ubndxacamngoc", "")
    assert SocialPage.objects.count() == 1


def test_staff_cannot_register_for_a_body_they_do_not_edit(client: Client, tree: Tree) -> None:
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(
        reverse("registry:page_register"),
        {
            "body": tree.ubnd_dien_lu.pk,
            "platform": make.platform("facebook").pk,
            "url": "https://www.facebook.com/ubnddienlu",
            "display_name": "Trang Điền Lư",
        },
    )

    assert response.status_code == 200
    assert not SocialPage.objects.exists()


def test_officers_have_no_register_form(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    assert client.get(reverse("registry:page_register")).status_code == 404
    assert "Register a page" not in _list(client)
    assert "Đăng ký trang" not in _list(client)


def test_the_full_workflow_through_the_pages(client: Client, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    officer = factories.officer_of(tree.cam_thuy)
    page = make.page(tree.ubnd_cam_ngoc, by=staff)
    staff_client = logged_in(client, staff)
    officer_client = logged_in(Client(), officer)
    detail = reverse("registry:page_detail", args=[page.pk])

    staff_view = staff_client.get(detail).content.decode()
    staff_client.post(reverse("registry:page_submit", args=[page.pk]))
    officer_view = officer_client.get(detail).content.decode()
    officer_client.post(reverse("registry:page_return", args=[page.pk]), {"note": ""})
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED  # a return without a note is refused
    officer_client.post(reverse("registry:page_return", args=[page.pk]), {"note": "Sửa tên."})
    staff_client.post(reverse("registry:page_submit", args=[page.pk]))
    officer_client.post(reverse("registry:page_approve", args=[page.pk]))
    staff_client.post(reverse("registry:page_confirm", args=[page.pk]))
    final = staff_client.get(detail).content.decode()

    page.refresh_from_db()
    assert page.state == PageState.APPROVED
    assert reverse("registry:page_submit", args=[page.pk]) in staff_view
    assert reverse("registry:page_approve", args=[page.pk]) not in staff_view
    assert reverse("registry:page_approve", args=[page.pk]) in officer_view
    assert reverse("registry:page_archive", args=[page.pk]) not in officer_view
    assert "Sửa tên." in final
    assert list(page.reviews.values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
        "approved",
    ]
    assert reverse("registry:page_confirm", args=[page.pk]) in final
    assert officer.get_full_name() in final


def test_staff_cannot_approve_their_own_page(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="submitted")
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(reverse("registry:page_approve", args=[page.pk]))

    assert response.status_code == 404
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_officers_cannot_edit_or_archive(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")
    logged_in(client, factories.officer_of(tree.cam_thuy))

    assert client.get(reverse("registry:page_edit", args=[page.pk])).status_code == 404
    assert client.post(reverse("registry:page_archive", args=[page.pk])).status_code == 404


def test_an_illegal_step_shows_an_error_message(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(reverse("registry:page_submit", args=[page.pk]), follow=True)

    assert "message--error" in response.content.decode()
    page.refresh_from_db()
    assert page.state == PageState.APPROVED


def test_workflow_actions_need_post(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc)
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    assert client.get(reverse("registry:page_submit", args=[page.pk])).status_code == 405


def test_editing_an_approved_page_warns_and_sends_it_back(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved", display_name="Tên cũ")
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))
    edit = reverse("registry:page_edit", args=[page.pk])

    form = client.get(edit).content.decode()
    response = client.post(
        edit,
        {"platform": page.platform_id, "url": page.url, "display_name": "Tên mới"},
        follow=True,
    )

    assert "callout--warning" in form
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED
    assert "message--warning" in response.content.decode()


def test_a_submitted_page_has_no_edit_form(client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="submitted")
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(reverse("registry:page_edit", args=[page.pk]))

    assert response.status_code == 302


def test_history_shows_who_changed_which_field(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc, full_name="Trần Thị Hoa")
    logged_in(client, staff)
    page = make.page(tree.ubnd_cam_ngoc, by=staff, display_name="Tên cũ")
    client.post(
        reverse("registry:page_edit", args=[page.pk]),
        {"platform": page.platform_id, "url": page.url, "display_name": "Tên mới"},
    )
    for n in range(10):
        client.post(
            reverse("registry:page_edit", args=[page.pk]),
            {"platform": page.platform_id, "url": page.url, "display_name": f"Tên {n}"},
        )
    officer_client = logged_in(Client(), factories.officer_of(tree.cam_thuy))

    with django_assert_max_num_queries(DETAIL_BUDGET):
        content = officer_client.get(reverse("registry:page_detail", args=[page.pk])).content
    text = content.decode()

    assert "Trần Thị Hoa" in text
    assert "Tên cũ" in text
    assert "Tên mới" in text
    assert "history-table" in text


# ---- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client: Client, db: None) -> Client:
    user = User.objects.create(username="quan.tri.trang", is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["platform", "socialpage", "pagereview", "contactperson", "postingrules"]
)
def test_admin_lists_every_registry_model(superuser_client: Client, tree: Tree, model: str) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")
    make.contact(tree.ubnd_cam_ngoc, page=page)
    make.rules(tree.ubnd_cam_ngoc)

    response = superuser_client.get(reverse(f"admin:accounts_registry_{model}_changelist"))

    assert response.status_code == 200


def test_admin_shows_a_page_read_only_and_cannot_add_or_delete_it(
    superuser_client: Client, tree: Tree
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")

    change = superuser_client.get(
        reverse("admin:accounts_registry_socialpage_change", args=[page.pk])
    )
    posted = superuser_client.post(
        reverse("admin:accounts_registry_socialpage_change", args=[page.pk]), {"state": "draft"}
    )
    add = superuser_client.get(reverse("admin:accounts_registry_socialpage_add"))
    delete = superuser_client.get(
        reverse("admin:accounts_registry_socialpage_delete", args=[page.pk])
    )

    assert change.status_code == 200
    assert 'name="state"' not in change.content.decode()
    assert posted.status_code == 403
    assert add.status_code == 403
    assert delete.status_code == 403
    page.refresh_from_db()
    assert page.state == PageState.APPROVED


def test_admin_cannot_revert_a_page_to_an_old_version(superuser_client: Client, tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc)
    draft_version = page.history.get().history_id
    services.page_submit(page=page, by=None)

    response = superuser_client.post(
        reverse(
            "admin:accounts_registry_socialpage_simple_history",
            args=[page.pk, draft_version],
        ),
        {},
    )

    assert response.status_code == 403
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_admin_archive_action_goes_through_the_service(
    superuser_client: Client, tree: Tree
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")

    superuser_client.post(
        reverse("admin:accounts_registry_socialpage_changelist"),
        {"action": "archive_pages", "_selected_action": [page.pk]},
    )

    page.refresh_from_db()
    assert page.state == PageState.ARCHIVED
    assert page.reviews.filter(to_state=PageState.ARCHIVED).exists()


def test_admin_can_add_a_platform(superuser_client: Client, db: None) -> None:
    response = superuser_client.post(
        reverse("admin:accounts_registry_platform_add"),
        {
            "code": "lotus",
            "name": "Lotus",
            "name_en": "Lotus",
            "rules": "generic",
            "hosts": '["lotus.vn"]',
            "example_url": "",
            "order": 80,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert make.platform("lotus").hosts == ["lotus.vn"]


def test_a_later_page_of_the_list_shows_the_next_rows_in_order(client: Client, tree: Tree) -> None:
    # Given 53 pages of one body (the list shows 50 a page, ordered by name)
    from accounts_registry.views_pages import PAGE_SIZE

    names = [f"Trang thử {number:03d}" for number in range(PAGE_SIZE + 3)]
    for number, name in enumerate(reversed(names)):
        make.page(
            tree.ubnd_cam_ngoc,
            display_name=name,
            url=f"https://www.facebook.com/trang.thu.{number}",
        )
    logged_in(client, factories.admin_user())

    # When an administrator opens the second page of the list
    second = _list(client, page="2")
    first = _list(client)

    # Then it shows the last three names, in order, and the first page the first fifty
    shown = [name for name in names if name in second]
    assert shown == names[PAGE_SIZE:]
    assert second.index(names[-3]) < second.index(names[-2]) < second.index(names[-1])
    assert names[0] in first
    assert names[PAGE_SIZE - 1] in first
    assert names[PAGE_SIZE] not in first
