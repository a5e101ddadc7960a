"""The demo chain of directives, built by ``load_demo`` from the real letters on the real
hierarchy of the five provinces they come from."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demo.letters import CHAIN_FILE, LETTERS_DIR, load_chain
from directives import selectors, services
from directives.models import (
    Directive,
    DirectiveState,
    ImplementationReport,
    Receipt,
    Reminder,
    ReportFigure,
)
from directives.rendering import issuer_then
from notifications.models import Notification, OutboundEmail
from tests import factories
from tests.conftest import Tree
from tests.directives.conftest import World, draft
from units import importers
from units.models import AdministrativeUnit, Body, BodyKind
from users.models import RoleAssignment, User

PROVINCES = ("Tỉnh Thanh Hóa", "Tỉnh Lai Châu", "Tỉnh Đắk Nông", "Tỉnh Gia Lai", "Tỉnh Tuyên Quang")


def _import_real_provinces(tmp_path: Path) -> None:
    """The shipped three-tier edition, cut down to the provinces the letters come from."""
    edition = importers.edition("three-tier")
    with gzip.open(edition.path, "rt", encoding="utf-8") as handle:
        provinces = [p for p in json.load(handle) if p["name"] in PROVINCES]
    assert len(provinces) == len(PROVINCES)
    path = tmp_path / "five-provinces.json"
    path.write_text(json.dumps(provinces, ensure_ascii=False), encoding="utf-8")
    importers.import_divisions(
        path=path,
        valid_from=edition.valid_from,
        valid_until=edition.valid_until,
        levels=edition.levels,
        unit_type_from=edition.unit_type_from,
    )


def _load(*extra: str) -> str:
    out = StringIO()
    call_command("load_demo", "--skip-import", *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db: None, tmp_path: Path) -> str:
    """The real hierarchy of the five provinces, with the demo loaded once; its output."""
    _import_real_provinces(tmp_path)
    return _load()


def _letter(number: str, symbol: str, subject_start: str = "") -> Directive:
    return Directive.objects.select_related("issuer__unit__parent").get(
        number=number, symbol=symbol, subject__startswith=subject_start
    )


def _receipt_of(directive: Directive, unit_name: str) -> Receipt:
    # The unit the letter reached (its body may have moved to a new commune since).
    return directive.receipts.get(unit__name=unit_name, body__kind=BodyKind.PEOPLES_COMMITTEE)


def _cam_ngoc_letter() -> Directive:
    """The commune's letter of 03/05/2024 (its issuer is now the People's Committee of the
    new Xã Cẩm Thủy, into which Cẩm Ngọc merged on 01/07/2025)."""
    return Directive.objects.get(issued_on=date(2024, 5, 3), symbol="UBND-VHTT")


@pytest.mark.django_db
def test_the_five_real_letters_are_issued_with_their_numbers_dates_subjects_and_signers(
    demo: str,
) -> None:
    # The issuer as it stood on the letter's date: history is not rewritten by the reform.
    rows = {
        (
            issuer_then(d).name,
            d.reference,
            d.place,
            d.issued_on,
            d.signer_name,
        )
        for d in Directive.objects.select_related("issuer").exclude(number__startswith="DEMO")
    }

    assert rows == {
        ("Ủy ban nhân dân huyện Cẩm Thủy", "1067/UBND-VHTT", "Cẩm Thủy", date(2024, 4, 24), ""),
        (
            "Ủy ban nhân dân xã Cẩm Ngọc",
            "…/UBND-VHTT",
            "Cẩm Ngọc",
            date(2024, 5, 3),
            "Phạm Văn Hành",
        ),
        (
            "Sở Thông tin và Truyền thông tỉnh Lai Châu",
            "1332/STTTT-TTBCXB",
            "Lai Châu",
            date(2024, 7, 4),
            "",
        ),
        (
            "Ủy ban nhân dân huyện Tân Uyên",
            "…/UBND-VHTT",
            "Tân Uyên",
            date(2024, 7, 10),
            "Lò Văn Biên",
        ),
        (
            "Ủy ban nhân dân tỉnh Đắk Nông",
            "6389/UBND-KGVX",
            "Đăk Nông",
            date(2021, 11, 3),
            "Tôn Thị Ngọc Hạnh",
        ),
        (
            "Sở Thông tin và Truyền thông tỉnh Gia Lai",
            "1038/STTTT-TTBCXB",
            "Gia Lai",
            date(2021, 6, 24),
            "Lê Thị Thu Hương",
        ),
        (
            "Ủy ban nhân dân huyện Sơn Dương",
            "…/UBND-VX",
            "Sơn Dương",
            date(2021, 9, 6),
            "Phạm Thị Nhị Bình",
        ),
    }
    assert not Directive.objects.exclude(state=DirectiveState.ISSUED).exists()
    dak_nong = _letter("6389", "UBND-KGVX")
    assert dak_nong.subject.startswith("sử dụng, quản lý thông tin trên mạng xã hội đối với cán bộ")
    assert dak_nong.addressees.splitlines()[-1] == "UBND các huyện, thành phố"
    assert dak_nong.instructions.count() == 5
    assert dak_nong.instructions.get(position=2).text.startswith(
        "Trên cơ sở vận dụng khoản 2 Điều 5 Bộ Quy tắc"
    )
    assert dak_nong.distribution.splitlines()[1] == "Thường trực Tỉnh ủy (b/c)"
    son_duong = Directive.objects.get(issuer__name="Ủy ban nhân dân huyện Sơn Dương")
    assert son_duong.basis.startswith(
        "Theo đề nghị của Công an tỉnh Tuyên Quang tại Văn bản số 5028/CAT-ANMCNC ngày 25/8/2021"
    )
    assert son_duong.implements is None  # the police letter is outside the portal
    assert son_duong.signing_capacity == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"


@pytest.mark.django_db
def test_each_letter_sits_in_its_real_unit_and_reaches_the_level_below(demo: str) -> None:
    dak_nong = _letter("6389", "UBND-KGVX")
    gia_lai = _letter("1038", "STTTT-TTBCXB")
    son_duong = Directive.objects.select_related("issuer__unit__parent").get(
        issuer__name="Ủy ban nhân dân huyện Sơn Dương"
    )

    dak_nong_issuer = issuer_then(dak_nong)
    assert (dak_nong_issuer.unit.name, dak_nong_issuer.unit.code) == ("Tỉnh Đắk Nông", "67")
    # Since 01/07/2025 the same People's Committee is Lâm Đồng's (Đắk Nông merged into it)
    assert dak_nong.issuer.unit.name == "Tỉnh Lâm Đồng"
    assert (gia_lai.issuer.unit.name, gia_lai.issuer.kind) == ("Tỉnh Gia Lai", BodyKind.DEPARTMENT)
    assert gia_lai.issuer.supervising_body is not None
    assert gia_lai.issuer.supervising_body.name == "Ủy ban nhân dân tỉnh Gia Lai"
    assert son_duong.issuer.unit.parent is not None
    assert son_duong.issuer.unit.parent.name == "Tỉnh Tuyên Quang"
    # Every district of the province gets the provincial letter, through its People's Committee
    for letter, province in ((dak_nong, "Tỉnh Đắk Nông"), (gia_lai, "Tỉnh Gia Lai")):
        districts = AdministrativeUnit.objects.filter(parent__name=province, level__code="district")
        addressed = set(
            letter.receipts.filter(body__kind=BodyKind.PEOPLES_COMMITTEE).values_list(
                "unit", flat=True
            )
        )
        assert addressed == set(districts.values_list("pk", flat=True))
    assert dak_nong.receipts.filter(
        body__name="Sở Thông tin và Truyền thông tỉnh Đắk Nông"
    ).exists()
    # The district letter reaches its 30 communes and the district's bodies, the Front included
    communes = son_duong.receipts.filter(unit__parent=son_duong.issuer.unit)
    assert communes.count() == 30
    assert son_duong.receipts.filter(
        body__name="Ủy ban Mặt trận Tổ quốc Việt Nam huyện Sơn Dương"
    ).exists()
    # Citations point at the Code's clauses
    assert set(dak_nong.cited_nodes.values_list("ref", flat=True)) == {
        "qd874",
        "qd874.code.d4",
        "qd874.code.d5.k2",
    }
    tan_uyen = Directive.objects.get(issuer__name="Ủy ban nhân dân huyện Tân Uyên")
    assert set(tan_uyen.cited_nodes.values_list("ref", flat=True)) == {
        f"qd874.code.d{n}" for n in (3, 4, 5, 6)
    }


@pytest.mark.django_db
def test_the_chains_can_be_followed_both_ways(demo: str) -> None:
    cam_thuy = _letter("1067", "UBND-VHTT")
    cam_ngoc = _cam_ngoc_letter()
    lai_chau = _letter("1332", "STTTT-TTBCXB")
    tan_uyen = Directive.objects.get(issuer__name="Ủy ban nhân dân huyện Tân Uyên")
    province = _letter("DEMO-1", "UBND-VX")
    district = _letter("DEMO-2", "UBND-VHXH")
    commune_staff = User.objects.get(username="xa.camngoc")
    province_officer = User.objects.get(username="tinh.thanhhoa")

    # Down: each letter lists the letters implementing it; up: each names what it implements
    assert list(cam_thuy.implementations.all()) == [cam_ngoc]
    assert list(lai_chau.implementations.all()) == [tan_uyen]
    assert list(province.implementations.all()) == [district]
    assert cam_ngoc.basis.startswith("Thực hiện công văn số 1067/UBND-VHTT, ngày 24/4/2024")
    assert selectors.ancestors_of(commune_staff, cam_ngoc) == [cam_thuy]
    # Implementing the district's letter answered the commune's receipt of it
    assert _receipt_of(cam_thuy, "Xã Cẩm Ngọc").reported_at is not None
    assert _receipt_of(lai_chau, "Huyện Tân Uyên").reported_at is not None
    # The province officer follows today's chain, and the historic one of its predecessor
    node = selectors.chain_below(province_officer, province)
    assert [child.directive for child in node.children] == [district]
    assert [
        child.directive for child in selectors.chain_below(province_officer, cam_thuy).children
    ] == [cam_ngoc]


@pytest.mark.django_db
def test_the_cam_thuy_chain_shows_every_state_and_no_reminder_was_sent(demo: str) -> None:
    cam_thuy = _letter("1067", "UBND-VHTT")
    today = timezone.localdate()

    # The historic letter: deadline long past; one commune reported with figures, two
    # acknowledged, one opened it, one implemented it, and the others are late
    assert cam_thuy.report_deadline == date(2024, 5, 15)
    reported = _receipt_of(cam_thuy, "Xã Cẩm Thành")
    [report] = ImplementationReport.objects.filter(receipt=reported)
    assert report.submitted_by is not None
    assert report.submitted_by.username == "vanthu.camthanh"
    assert list(ReportFigure.objects.filter(report=report).values_list("label", "value")) == [
        ("Số buổi tuyên truyền, phổ biến", Decimal("3")),
        ("Số cán bộ, công chức được phổ biến", Decimal("21")),
        ("Số trang mạo danh phát hiện", Decimal("0")),
    ]
    for name in ("Xã Cẩm Châu", "Thị trấn Phong Sơn"):
        receipt = _receipt_of(cam_thuy, name)
        assert receipt.acknowledged_at
        assert not receipt.reported_at
        assert receipt.is_overdue()
    opened = _receipt_of(cam_thuy, "Xã Cẩm Tú")
    assert opened.read_at
    assert not opened.acknowledged_at
    tally = selectors.tally(selectors.receipt_rows(cam_thuy))
    assert (tally.reported, tally.acknowledged, tally.opened) == (2, 4, 5)
    # the communes that never answered ceased on 30/06/2025: they owe nothing any more
    assert tally.overdue + getattr(tally, "ceased", 0) == tally.total - 2 > 10

    # Today's letters: issued by the two-tier province to its 166 communes and wards, and
    # implemented by the new Xã Cẩm Thủy for the bodies on its territory; both in force
    province = _letter("DEMO-1", "UBND-VX")
    commune = _letter("DEMO-2", "UBND-VHXH")
    assert province.issued_on == today - timedelta(days=14)
    assert commune.issued_on == today - timedelta(days=10) < commune.report_deadline  # type: ignore[operator]
    assert province.issuer.unit.valid_until is None
    assert commune.issuer.unit.valid_until is None
    assert province.receipts.count() == 166
    assert commune.issuer.name == "Ủy ban nhân dân xã Cẩm Thủy"
    assert commune.implements == province
    assert (
        commune.receipts.count()
        == Body.objects.filter(unit=commune.issuer.unit, archived_at__isnull=True)
        .exclude(pk=commune.issuer.pk)
        .count()
        > 3
    )
    answered = _receipt_of(province, "Xã Cẩm Thủy")
    [reply] = ImplementationReport.objects.filter(receipt=answered)
    assert reply.submitted_by is not None
    assert reply.submitted_by.username == "xa.camngoc"
    assert _receipt_of(province, "Xã Cẩm Tú").acknowledged_at is not None
    assert _receipt_of(province, "Xã Cẩm Vân").read_at is not None
    # and nobody of the abolished district can answer what it received
    district_officer = User.objects.get(username="huyen.camthuy")
    assert not selectors.answerable(district_officer, _receipt_of(cam_thuy, "Xã Cẩm Ngọc"))

    assert not Reminder.objects.exists()
    assert not OutboundEmail.objects.filter(subject__icontains="nhắc").exists()


@pytest.mark.django_db
def test_loading_the_demo_twice_creates_nothing_more(demo: str) -> None:
    def counts() -> dict[str, int]:
        return {
            "directives": Directive.objects.count(),
            "directive history": Directive.history.count(),
            "receipts": Receipt.objects.count(),
            "reports": ImplementationReport.objects.count(),
            "bodies": Body.objects.count(),
            "body history": Body.history.count(),
            "users": User.objects.count(),
            "roles": RoleAssignment.objects.count(),
            "notifications": Notification.objects.count(),
            "emails": OutboundEmail.objects.count(),
        }

    before = counts()

    output = _load()

    assert "Demo directives: 7 issued" in demo  # the history
    assert "Demo directives: 2 issued" in demo  # today's
    assert "Demo directives: 0 issued, 2 already there" in output
    assert "nothing changed" in output
    assert counts() == before


@pytest.mark.django_db
def test_a_database_without_the_other_provinces_gets_the_chains_it_can_hold(tree: Tree) -> None:
    output = _load("--history-only")  # the tree's codes are not the official ones

    assert "Skipped (their units are not in the database): " in output
    for key in ("daknong-6389-2021", "gialai-stttt-1038-2021", "tuyenquang-sonduong-2021"):
        assert key in output
    assert _letter("1067", "UBND-VHTT").implementations.count() == 1


def _source_text(letter: dict[str, Any]) -> str:
    """The shipped letter as one line: emphasis marks and link brackets gone, the scan's
    known errors corrected as the chain file says."""
    text = (LETTERS_DIR / letter["source"]).read_text(encoding="utf-8").replace("*", "")
    text = " ".join(re.sub(r"<(https?://[^>]+)>", r"\1", text).split())
    for wrong, right in letter.get("ocr_corrections", []):
        text = text.replace(wrong, right)
    return text


def test_the_real_letters_keep_their_own_words() -> None:
    letters = [item for item in load_chain(CHAIN_FILE)["letters"] if item["status"] == "verbatim"]

    assert len(letters) == 5
    for letter in letters:
        source = _source_text(letter)
        parts = [
            letter["subject"],
            letter["basis"],
            letter["body"],
            letter["closing"],
            *letter["instructions"],
            *letter["addressees"],
        ]
        for part in filter(None, parts):
            assert " ".join(part.split()) in source, (letter["key"], part[:80])
        assert letter["signer_name"] in source


@pytest.mark.django_db
def test_the_admin_shows_demo_directives_read_only_and_never_deletes(
    demo: str, django_assert_max_num_queries: Any
) -> None:
    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    letter = _letter("6389", "UBND-KGVX")

    for model in ("directive", "receipt", "implementationreport", "reminder"):
        with django_assert_max_num_queries(15):
            listed = client.get(reverse(f"admin:directives_{model}_changelist"))
        assert listed.status_code == 200
    page = client.get(reverse("admin:directives_directive_change", args=[letter.pk]))
    posted = client.post(
        reverse("admin:directives_directive_change", args=[letter.pk]), {"subject": "Khác"}
    )
    deleting = client.get(reverse("admin:directives_directive_delete", args=[letter.pk]))
    receipt = letter.receipts.first()
    assert receipt is not None
    receipt_delete = client.get(reverse("admin:directives_receipt_delete", args=[receipt.pk]))

    assert page.status_code == 200
    assert "Tôn Thị Ngọc Hạnh" in page.content.decode()
    assert 'name="subject"' not in page.content.decode()
    assert posted.status_code == 403
    assert (deleting.status_code, receipt_delete.status_code) == (403, 403)
    letter.refresh_from_db()
    assert letter.subject.startswith("sử dụng, quản lý thông tin")


def test_a_draft_corrected_in_the_admin_goes_through_the_service(world: World) -> None:
    admin = factories.admin_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    letter = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(bodies=[world.tree.ubnd_cam_thanh]),
    )
    url = reverse("admin:directives_directive_change", args=[letter.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["subject"] = "Rà soát trang mạo danh"
    for inline in client.get(url).context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{key}": value for key, value in management.initial.items()}

    response = client.post(url, data)

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.subject == "Rà soát trang mạo danh"
    assert letter.history.first().history_user == admin
    assert letter.is_draft


@pytest.mark.django_db
def test_the_demo_shows_groups_tasks_figures_up_the_chain_and_a_paper_root(demo: str) -> None:
    gia_lai = _letter("1038", "STTTT-TTBCXB")
    son_duong = Directive.objects.get(issuer__name__contains="Sơn Dương", symbol="UBND-VX")
    province = _letter("DEMO-1", "UBND-VX")
    commune = _letter("DEMO-2", "UBND-VHXH")

    # Gia Lai: the press, representative offices and resident reporters are named groups
    # outside the portal with part 2 of the letter; each district's copy shows part 1 first
    groups = {group.name: group for group in selectors.named_groups(gia_lai)}
    reporters = groups["Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh"]
    assert reporters.outside
    assert reporters.task_numbers == [2]
    district = gia_lai.receipts.select_related("body").first()
    assert district is not None
    tasks = selectors.tasks_of(district)
    assert [item.position for item in tasks.own] == [1]
    assert [item.position for item in tasks.others] == [2]
    # The verbatim letter keeps its own words: no group line was added to it
    assert gia_lai.addressees.splitlines()[-1] == reporters.name

    # Sơn Dương carries out the provincial police's letter, which exists only on paper
    paper = son_duong.implements_paper
    assert paper is not None
    assert (paper.reference, paper.issued_on, paper.issuer_name) == (
        "5028/CAT-ANMCNC",
        date(2021, 8, 25),
        "Công an tỉnh Tuyên Quang",
    )
    officer = User.objects.get(username="admin")
    assert selectors.paper_root(officer, son_duong) == paper
    front = {group.name: group for group in selectors.named_groups(son_duong)}[
        "Ủy ban MTTQ và các tổ chức chính trị-xã hội huyện"
    ]
    assert len(front.body_ids) == 2
    assert front.task_numbers == [3]

    # Thanh Hóa's letter asks two figures; Xã Cẩm Thủy reported its own and passed the ask
    # on to its bodies, two of which reported: the province's chain page adds them up
    province_officer = User.objects.get(username="tinh.thanhhoa")
    root = selectors.chain_below(province_officer, province)
    totals = {figure.key: figure for figure in root.figures}
    assert (totals["pages-reviewed"].reported, totals["pages-reviewed"].total) == (3, 6)
    assert (totals["fake-pages"].reported, totals["fake-pages"].total) == (0, 1)
    (below,) = root.children
    assert below.directive == commune
    assert {f.key: f.total for f in below.figures} == {"pages-reviewed": 3, "fake-pages": 1}
    police = {group.name: group for group in selectors.named_groups(commune)}["Công an xã Cẩm Thủy"]
    assert police.outside
    assert police.task_numbers == [5]
    assert "Công an xã Cẩm Thủy" in commune.addressees.splitlines()
