"""The page services: registration, uniqueness across bodies, edits and every transition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts_registry.models import PageReview, PageState, Platform, SocialPage
from accounts_registry.services import pages as services
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def _error_text(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def test_registering_stores_the_canonical_address_as_a_draft(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    page = services.page_register(
        body=tree.ubnd_cam_ngoc,
        platform=make.platform("facebook"),
        url="m.facebook.com/UBNDXaCamNgoc/?ref=share&fbclid=abc",
        display_name="  UBND xã Cẩm Ngọc ",
        by=staff,
    )

    page.refresh_from_db()
    assert page.state == PageState.DRAFT
    assert page.url == "https://www.facebook.com/ubndxacamngoc"
    assert page.canonical_key == "handle:ubndxacamngoc"
    assert page.display_name == "UBND xã Cẩm Ngọc"
    assert page.created_by == staff
    assert page.search_name.startswith("ubnd xa cam ngoc")
    step = page.reviews.get()
    assert (step.from_state, step.to_state, step.by) == (PageState.DRAFT, PageState.DRAFT, staff)


def test_registering_reads_the_permanent_id_from_the_address(tree: Tree) -> None:
    page = make.page(
        tree.ubnd_cam_ngoc, url="https://facebook.com/profile.php?id=100064123456789&mibextid=x"
    )

    assert page.permanent_id == "100064123456789"
    assert page.url == "https://www.facebook.com/profile.php?id=100064123456789"


def test_a_typed_permanent_id_that_contradicts_the_address_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationError) as error:
        make.page(
            tree.ubnd_cam_ngoc,
            url="https://www.facebook.com/profile.php?id=100064123456789",
            permanent_id="999",
        )

    assert "permanent_id" in error.value.message_dict
    assert not SocialPage.objects.exists()


def test_a_typed_permanent_id_is_kept_when_the_address_has_none(tree: Tree) -> None:
    page = make.page(
        tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc", permanent_id=" 1000641 "
    )

    assert page.permanent_id == "1000641"


def test_an_address_of_another_platform_is_refused_with_the_canonicalisers_message(
    tree: Tree,
) -> None:
    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_cam_ngoc, url="https://www.youtube.com/@camngoc")

    assert "Facebook" in error.value.message_dict["url"][0]
    assert not SocialPage.objects.exists()


def test_the_other_platform_refuses_an_address_of_a_known_platform(tree: Tree) -> None:
    with pytest.raises(ValidationError) as error:
        make.page(
            tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc", platform_code="other"
        )

    assert "url" in error.value.message_dict


def test_the_other_platform_takes_any_web_address(tree: Tree) -> None:
    page = make.page(
        tree.ubnd_cam_ngoc,
        url="https://lotus.vn/ubnd-cam-ngoc/?utm_source=x",
        platform_code="other",
    )

    assert page.url.startswith("https://lotus.vn/ubnd-cam-ngoc")


def test_a_platform_out_of_use_takes_no_new_pages(tree: Tree) -> None:
    Platform.objects.filter(code="zalo").update(is_active=False)

    with pytest.raises(ValidationError) as error:
        make.page(
            tree.ubnd_cam_ngoc, url="https://zalo.me/1234567890123456789", platform_code="zalo"
        )

    assert "platform" in error.value.message_dict


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.facebook.com/ubndxacamngoc",
        "http://facebook.com/ubndxacamngoc/",
        "m.facebook.com/UBNDXaCamNgoc?ref=bookmarks",
        "https://fb.com/ubndxacamngoc",
        "https://web.facebook.com/ubndxacamngoc/?fbclid=IwAR0abc",
    ],
)
def test_every_variant_of_a_registered_address_collides(tree: Tree, variant: str) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")

    with pytest.raises(ValidationError):
        make.page(tree.ubnd_cam_ngoc, url=variant)

    assert SocialPage.objects.count() == 1


def test_another_body_registering_a_draft_page_learns_nothing_about_its_owner(tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")
    other_staff = factories.staff_of(tree.ubnd_dien_lu)

    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_dien_lu, url="fb.com/UBNDXaCamNgoc", by=other_staff)

    text = _error_text(error)
    assert text == str(services.TAKEN_ELSEWHERE)
    assert "Cẩm Ngọc" not in text
    assert "cán bộ phụ trách duyệt trang của cơ quan bạn" in text  # where to turn, in Vietnamese


def test_an_anonymous_caller_learns_nothing_either(tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc", state="submitted")

    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/ubndxacamngoc", by=None)

    assert "Cẩm Ngọc" not in _error_text(error)


def test_a_duplicate_of_an_approved_page_names_its_public_owner(tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc", state="approved")
    other_staff = factories.staff_of(tree.ubnd_dien_lu)

    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/ubndxacamngoc", by=other_staff)

    assert "UBND Xã Cẩm Ngọc" in _error_text(error)


def test_a_duplicate_within_the_same_body_names_the_existing_page(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    make.page(
        tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc", display_name="Trang xã"
    )

    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_cam_ngoc, url="https://fb.com/ubndxacamngoc", by=staff)

    assert "Trang xã" in _error_text(error)


def test_an_officer_above_both_bodies_is_told_who_holds_the_page(tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")
    officer = factories.officer_of(tree.thanh_hoa)

    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/ubndxacamngoc", by=officer)

    assert "UBND Xã Cẩm Ngọc" in _error_text(error)


def test_the_same_permanent_id_under_another_address_collides(tree: Tree) -> None:
    make.page(
        tree.ubnd_cam_ngoc,
        url="https://www.facebook.com/ubndxacamngoc",
        permanent_id="100064123456789",
    )

    with pytest.raises(ValidationError) as error:
        make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/profile.php?id=100064123456789")

    assert _error_text(error) == str(services.TAKEN_ELSEWHERE)


def test_an_archived_page_frees_its_address(tree: Tree) -> None:
    old = make.page(
        tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc", state="archived"
    )

    new = make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/ubndxacamngoc")

    assert new.pk != old.pk
    assert SocialPage.objects.live().get() == new


def test_the_database_constraint_catches_a_race_with_a_clear_error(tree: Tree) -> None:
    first = make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")
    twin = SocialPage(
        body=tree.ubnd_dien_lu,
        platform=first.platform,
        display_name="Trang trùng",
        url=first.url,
        canonical_key=first.canonical_key,
    )

    with pytest.raises(ValidationError) as error:
        services._save(twin, None)

    assert _error_text(error) == str(services.TAKEN_ELSEWHERE)


# ---- Transitions ----------------------------------------------------------------------------

Step = Callable[..., SocialPage]


def _step(name: str) -> Step:
    def run(page: SocialPage, by: Any) -> SocialPage:
        function = getattr(services, f"page_{name}")
        if name == "submit":
            return function(page=page, by=by)
        note = "Cần sửa tên hiển thị." if name == "return" else ""
        return function(page=page, by=by, note=note)

    return run


LEGAL = [
    ("draft", "submit", "submitted"),
    ("returned", "submit", "submitted"),
    ("submitted", "approve", "approved"),
    ("submitted", "return", "returned"),
    ("approved", "confirm", "approved"),
    ("draft", "archive", "archived"),
    ("submitted", "archive", "archived"),
    ("approved", "archive", "archived"),
    ("returned", "archive", "archived"),
]
STEPS = ["submit", "approve", "return", "confirm", "archive"]
ILLEGAL = [
    (state, step)
    for state in ["draft", "submitted", "approved", "returned", "archived"]
    for step in STEPS
    if not any(state == legal[0] and step == legal[1] for legal in LEGAL)
]


@pytest.mark.parametrize(("state", "step", "to"), LEGAL)
def test_each_legal_transition_moves_the_page_and_logs_it(
    tree: Tree, state: str, step: str, to: str
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state=state)
    actor = factories.admin_user()
    steps_before = PageReview.objects.count()
    history_before = page.history.count()

    page = _step(step)(page, actor)

    page.refresh_from_db()
    assert page.state == to
    log = PageReview.objects.order_by("-pk").first()
    assert log is not None
    assert PageReview.objects.count() == steps_before + 1
    assert (log.from_state, log.to_state, log.by) == (state, to, actor)
    assert page.history.count() == history_before + 1
    assert page.history.first().history_user == actor


@pytest.mark.parametrize(("state", "step"), ILLEGAL)
def test_each_illegal_transition_is_refused_and_changes_nothing(
    tree: Tree, state: str, step: str
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state=state)
    steps_before = PageReview.objects.count()

    with pytest.raises(ValidationError):
        _step(step)(page, None)

    page.refresh_from_db()
    assert page.state == state
    assert PageReview.objects.count() == steps_before


def test_approval_sets_the_approval_and_confirmation_times(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="submitted")

    page = services.page_approve(page=page, by=None, note="Đạt yêu cầu.")

    assert page.approved_at is not None
    assert page.confirmed_at == page.approved_at
    assert page.review_note == "Đạt yêu cầu."


def test_returning_needs_a_note(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="submitted")

    with pytest.raises(ValidationError) as error:
        services.page_return(page=page, by=None, note="   ")

    assert "note" in error.value.message_dict
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_resubmitting_clears_the_reviewers_old_note(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="returned")
    assert page.review_note

    page = services.page_submit(page=page, by=None)

    assert page.review_note == ""
    assert page.reviews.filter(to_state=PageState.RETURNED).get().note


def test_confirming_moves_the_confirmation_time_and_ends_needing_review(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")
    SocialPage.objects.filter(pk=page.pk).update(confirmed_at=timezone.now() - timedelta(days=400))
    assert SocialPage.objects.needing_review().filter(pk=page.pk).exists()

    services.page_confirm(page=page, by=None)

    assert not SocialPage.objects.needing_review().filter(pk=page.pk).exists()


def test_archiving_keeps_the_page(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")

    services.page_archive(page=page, by=None, note="Không còn sử dụng.")

    page.refresh_from_db()
    assert page.state == PageState.ARCHIVED
    assert page.archived_at is not None


# ---- Edits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_drafts_and_returned_pages_are_edited_in_place(tree: Tree, state: str) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state=state)

    page = services.page_update(page=page, by=None, display_name="Tên mới", notes="Ghi chú")

    assert page.state == state
    assert page.display_name == "Tên mới"
    assert page.history.first().notes == "Ghi chú"


def test_editing_an_approved_page_sends_it_back_for_review(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    page = services.page_update(page=page, by=staff, responsible_unit="Văn phòng UBND")

    assert page.state == PageState.SUBMITTED
    step = page.reviews.order_by("-pk").first()
    assert step is not None
    assert (step.from_state, step.to_state, step.by) == ("approved", "submitted", staff)


def test_saving_an_approved_page_unchanged_keeps_it_approved(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="approved")

    page = services.page_update(
        page=page, by=None, display_name=page.display_name, url="fb.com/" + page.url.split("/")[-1]
    )

    assert page.state == PageState.APPROVED


@pytest.mark.parametrize("state", ["submitted", "archived"])
def test_submitted_and_archived_pages_cannot_be_edited(tree: Tree, state: str) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state=state)

    with pytest.raises(ValidationError):
        services.page_update(page=page, by=None, display_name="Tên mới")


def test_changing_the_address_recanonicalises_and_checks_uniqueness(tree: Tree) -> None:
    make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/ubnddienlu")
    page = make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")

    with pytest.raises(ValidationError) as error:
        services.page_update(page=page, by=None, url="m.facebook.com/UBNDDienLu")
    page = services.page_update(page=page, by=None, url="m.facebook.com/CamNgocOfficial/")

    assert _error_text(error) == str(services.TAKEN_ELSEWHERE)
    assert page.url == "https://www.facebook.com/camngocofficial"
    assert page.canonical_key == "handle:camngocofficial"


def test_changing_the_platform_rechecks_the_address(tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc)

    with pytest.raises(ValidationError) as error:
        services.page_update(page=page, by=None, platform=make.platform("zalo"))

    assert "url" in error.value.message_dict


def test_every_change_is_kept_in_the_history_with_its_author(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    page = make.page(tree.ubnd_cam_ngoc, by=staff)

    services.page_update(page=page, by=staff, display_name="Tên mới")
    services.page_submit(page=page, by=staff)

    records = list(page.history.order_by("history_date"))
    assert [record.history_type for record in records] == ["+", "~", "~"]
    assert {record.history_user for record in records} == {staff}
    assert records[1].display_name == "Tên mới"
