"""The world of the scope-isolation tests: one object of every scoped kind, out of reach.

Everything is created for UBND Xã Mường Khoa (Lai Châu) and the units above it through the
real services; the users who probe it all work in Thanh Hóa. Both the API test
(``tests/test_scope_isolation.py``) and the pages test (``tests/test_scope_html.py``) probe
this world, compare its ``snapshot`` before and after, and look for its ``markers`` (and its
files' bytes) in every answer.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from accounts_registry.models import ContactPerson, Platform, PostingRules, SocialPage, Spokesperson
from accounts_registry.services.contacts import contact_set
from accounts_registry.services.pages import page_approve, page_register, page_submit
from accounts_registry.services.rules import rules_upload
from accounts_registry.services.spokespersons import spokesperson_set
from directives import services as directive_services
from directives.models import (
    Attachment,
    Directive,
    ImplementationReport,
    PaperLetter,
    Receipt,
    Reminder,
)
from incidents.models import (
    Evidence,
    FindingCategory,
    FindingSeverity,
    FindingSource,
    Incident,
    IncidentKind,
    MonitoringFinding,
)
from incidents.services import evidence_add, incident_report
from incidents.services_findings import finding_record
from reports import services as report_services
from reports.build import build_period
from reports.models import (
    BuildRun,
    BuildState,
    ExportFormat,
    ExportJob,
    ExportState,
    FakePageReview,
    PeriodKind,
    ReportingPeriod,
    ReportStep,
    UnitReport,
)
from reports.periods import ensure_period
from reports.services_reviews import fake_page_review_record
from tests import factories
from tests.conftest import Tree
from users.models import User

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# A screenshot the content check accepts (PNG signature and IHDR), with a marker inside.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"MK-SCREENSHOT-2026" + b"\x00" * 32
# The finished export of the accepted report, as the storage holds it.
EXPORT = "Đơn vị;Trang\nXã Mường Khoa;MK-EXPORT-2026\n".encode()

CONTACT_NAME = "Lò Thị Sương"
RULES_NUMBER = "MK-874/QĐ-UBND"
INCIDENT_TEXT = "Trang giả mạo đăng tin tuyển dụng, báo cáo số MK-2026"
FINDING_TEXT = "Trang không trả lời bình luận, phát hiện số MK-FINDING-2026"
PAPER_REFERENCE = "77/CAT-MK-GIAY"
SPOKESPERSON_NAME = "Lường Thị Phát Ngôn"
FAKE_REVIEW_NOTE = "Rà soát trang mạo danh, biên bản MK-RASOAT-2026"
EVIDENCE_LINK = "https://example.com/bang-chung-muong-khoa"
DIRECTIVE_SUBJECT = "Rà soát trang mạo danh trên địa bàn huyện TU-874"
DIRECTIVE_REPORT = "Xã đã rà soát 12 trang, phát hiện 1 trang giả mạo MK-BC-2026"
REPORT_ACHIEVEMENTS = "Tổ chức 3 hội nghị phổ biến Bộ Quy tắc MK-QUY3-2026"
REPORT_NOTE = "Đã kiểm tra số liệu của xã TU-DUYET-2026"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass
class World:
    """The other commune's objects, and the users who must not reach them."""

    tree: Tree
    pages: dict[str, SocialPage]  # by state: draft, submitted, approved
    contact: ContactPerson
    rules: PostingRules
    incident: Incident
    evidence: dict[str, Evidence]  # link, image
    directives: dict[str, Directive]  # by state: draft, issued
    receipt: Receipt
    attachment: Attachment  # the file of Mường Khoa's implementation report
    finding: MonitoringFinding  # the district's finding about Mường Khoa's approved page
    paper: PaperLetter  # a police letter on paper, with its scan, cited by a Tân Uyên draft
    spokesperson: Spokesperson  # the spokesperson of Mường Khoa's People's Committee
    fake_review: FakePageReview  # Mường Khoa's fake-page review of the quarter
    period: ReportingPeriod  # a quarter: periods are the same for everyone
    reports: dict[str, UnitReport]  # accepted (Mường Khoa), submitted (Tân Uyên), draft (Lai Châu)
    build_run: BuildRun  # started by Tân Uyên's officer
    export: ExportJob  # a finished export of Mường Khoa's accepted report, its file stored
    commune_staff: User
    commune_officer: User
    district_officer: User
    province_officer: User
    admin: User

    @property
    def roles(self) -> dict[str, User]:
        return {
            "commune staff of UBND xã Cẩm Ngọc": self.commune_staff,
            "commune officer of Xã Cẩm Ngọc": self.commune_officer,
            "district officer of Huyện Cẩm Thủy": self.district_officer,
            "provincial officer of Tỉnh Thanh Hóa": self.province_officer,
        }

    @property
    def markers(self) -> list[str]:
        """Strings that identify the other commune's data: none may reach the probers."""
        found = [
            "Mường Khoa",
            "Lai Châu",
            "Tân Uyên",
            "ubndxamuongkhoa",
            CONTACT_NAME,
            self.contact.phone,
            RULES_NUMBER,
            INCIDENT_TEXT,
            FINDING_TEXT,
            PAPER_REFERENCE,
            SPOKESPERSON_NAME,
            FAKE_REVIEW_NOTE,
            EVIDENCE_LINK,
            DIRECTIVE_SUBJECT,
            DIRECTIVE_REPORT,
            REPORT_ACHIEVEMENTS,
            REPORT_NOTE,
            "MK-EXPORT-2026",
            self.tree.ubnd_muong_khoa.email,
        ]
        found += [page.url for page in self.pages.values()]
        return [nfc(m) for m in found if m]


def make_tree() -> Tree:
    """The tree of ``tests.conftest.tree``, built outside a test (for a module-wide world)."""
    from accounts_registry.models import Platform as PlatformModel
    from accounts_registry.standard_platforms import install as install_platforms
    from units.models import UnitLevel
    from units.standard_levels import install as install_levels

    # What the autouse fixture of tests/conftest.py reinstalls after a flushing test.
    if UnitLevel.objects.count() < 3:
        install_levels(UnitLevel)
    if not PlatformModel.objects.exists():
        install_platforms(PlatformModel)
    from tests.conftest import build_tree

    return build_tree()


@contextlib.contextmanager
def module_world(django_db_blocker: Any, media_root: Path) -> Iterator[World]:
    """One world for a whole test module, rolled back at its end.

    Building the world takes seconds (it goes through every service, notifications and the
    report build included); a module builds it once inside an outer transaction, and each
    test's own transaction (pytest-django's ``db``) is a savepoint inside it, rolled back
    after the test: every test starts from the same world, and nothing is left behind.
    """
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build(make_tree())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def build(tree: Tree) -> World:
    """Create, through the services, one object of every scoped kind for Mường Khoa."""
    body = tree.ubnd_muong_khoa
    admin = factories.admin_user()
    staff = factories.staff_of(body)
    facebook = Platform.objects.get(code="facebook")

    def page(suffix: str) -> SocialPage:
        return page_register(
            body=body,
            platform=facebook,
            url=f"https://www.facebook.com/ubndxamuongkhoa{suffix}",
            display_name=f"UBND Xã Mường Khoa {suffix}".strip(),
            by=staff,
        )

    draft = page("")
    submitted = page_submit(page=page("tintuc"), by=staff)
    approved = page_approve(page=page_submit(page=page("thongbao"), by=staff), by=admin)
    contact = contact_set(body=body, name=CONTACT_NAME, phone="0912 345 678", by=staff)
    rules = rules_upload(
        body=body,
        document_number=RULES_NUMBER,
        issued_on=date(2025, 3, 1),
        signed_by="Lò Văn Khoa",
        file=SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
        by=staff,
    )
    incident = incident_report(
        body=body,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.muongkhoa.gia.mao",
        description=INCIDENT_TEXT,
        by=staff,
    )
    evidence = {
        "link": evidence_add(incident=incident, by=staff, link=EVIDENCE_LINK),
        "image": evidence_add(
            incident=incident,
            by=staff,
            image=SimpleUploadedFile("anh-chup.png", PNG, content_type="image/png"),
        ),
    }
    # The district of Tân Uyên writes to Mường Khoa, which reports back with a file.
    ubnd_tan_uyen = factories.BodyFactory.create(
        unit=tree.tan_uyen, name="Ủy ban nhân dân huyện Tân Uyên", kind="peoples_committee"
    )
    tan_uyen_officer = factories.officer_of(tree.tan_uyen)

    def directive(number: str) -> Directive:
        return directive_services.directive_create(
            issuer=ubnd_tan_uyen,
            by=tan_uyen_officer,
            fields={
                "number": number,
                "symbol": "UBND-VHTT",
                "place": "Tân Uyên",
                "subject": DIRECTIVE_SUBJECT,
                "body": "Thực hiện Quyết định số 874/QĐ-BTTTT.",
                "report_deadline": date(2025, 4, 30),
            },
            instructions=["Rà soát trang mạo danh."],
            recipients=directive_services.Recipients(units=[tree.muong_khoa]),
        )

    directive_draft = directive("")
    issued = directive_services.directive_issue(
        directive("1332"), by=tan_uyen_officer, today=date(2025, 4, 1)
    )
    receipt = issued.receipts.get()
    implementation = directive_services.report_submit(
        receipt,
        by=staff,
        text=DIRECTIVE_REPORT,
        files=[SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")],
    )
    # The district's culture office finds fault with Mường Khoa's page, and the district
    # carries out a police letter that exists only on paper (its scan kept).
    finding = finding_record(
        body=body,
        by=tan_uyen_officer,
        source=FindingSource.UNIT,
        found_on=date(2025, 3, 10),
        category=FindingCategory.NO_ANSWER,
        severity=FindingSeverity.MEDIUM,
        description=FINDING_TEXT,
        remediation_required="Trả lời bình luận của người dân.",
        deadline=date(2025, 4, 10),
        page=approved,
    )
    on_paper = directive_services.directive_create(
        issuer=ubnd_tan_uyen,
        by=tan_uyen_officer,
        fields={
            "number": "",
            "symbol": "UBND-VHTT",
            "place": "Tân Uyên",
            "subject": DIRECTIVE_SUBJECT,
            "body": "Thực hiện văn bản của Công an tỉnh.",
        },
        paper=directive_services.PaperSpec(
            reference=PAPER_REFERENCE,
            issued_on=date(2025, 2, 1),
            issuer_name="Công an tỉnh Lai Châu",
            subject="Về bảo đảm an ninh mạng",
            scan=SimpleUploadedFile("ban-giay.pdf", PDF, content_type="application/pdf"),
        ),
    )
    assert on_paper.implements_paper is not None
    period, reports, build_run, export = _reports(tree, staff=staff, officer=tan_uyen_officer)
    spokesperson = spokesperson_set(
        body=body, name=SPOKESPERSON_NAME, phone="0913 222 333", by=staff, position="Chủ tịch"
    )
    fake_review = fake_page_review_record(
        unit=tree.muong_khoa,
        period=period,
        by=staff,
        scans_done=4,
        fake_pages_found=1,
        reported_to_platform=1,
        taken_down=0,
        notes=FAKE_REVIEW_NOTE,
    )
    return World(
        tree=tree,
        pages={"draft": draft, "submitted": submitted, "approved": approved},
        contact=contact,
        rules=rules,
        incident=incident,
        evidence=evidence,
        directives={"draft": directive_draft, "issued": issued},
        receipt=receipt,
        attachment=Attachment.objects.get(report=implementation),
        finding=finding,
        spokesperson=spokesperson,
        fake_review=fake_review,
        paper=on_paper.implements_paper,
        period=period,
        reports=reports,
        build_run=build_run,
        export=export,
        commune_staff=factories.staff_of(tree.ubnd_cam_ngoc),
        commune_officer=factories.officer_of(tree.cam_ngoc),
        district_officer=factories.officer_of(tree.cam_thuy),
        province_officer=factories.officer_of(tree.thanh_hoa),
        admin=admin,
    )


def _reports(
    tree: Tree, *, staff: User, officer: User
) -> tuple[ReportingPeriod, dict[str, UnitReport], BuildRun, ExportJob]:
    """Quý 3/2026 for Lai Châu: Mường Khoa's report accepted by Tân Uyên, Tân Uyên's
    submitted, Lai Châu's a draft; a finished build run and a finished export."""
    period = ensure_period(PeriodKind.QUARTERLY, date(2026, 7, 15))
    units = [tree.muong_khoa, tree.tan_uyen, tree.lai_chau]
    build_period(period, unit_ids=[unit.pk for unit in units])
    by_unit = {r.unit_id: r for r in UnitReport.objects.filter(period=period, unit__in=units)}
    declarations: dict[str, Any] = {
        "info_consistent": True,
        "security_measures": True,
        "impersonation_scans": 4,
        "fake_pages_found": 1,
        "dissemination_sessions": 3,
        "participants": 120,
        "positive_posts": 15,
        "comments_answered": 7,
    }
    commune = report_services.report_update(
        report=by_unit[tree.muong_khoa.pk],
        by=staff,
        achievements=REPORT_ACHIEVEMENTS,
        **declarations,
    )
    commune = report_services.report_submit(report=commune, by=staff)
    commune = report_services.report_accept(report=commune, by=officer, note=REPORT_NOTE)
    district = report_services.report_update(
        report=by_unit[tree.tan_uyen.pk], by=officer, **declarations
    )
    district = report_services.report_submit(report=district, by=officer)
    run = report_services.build_start(period=period, by=officer)
    BuildRun.objects.filter(pk=run.pk).update(
        state=BuildState.DONE,
        total=3,
        done=3,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    export = ExportJob.objects.create(
        report=commune,
        fmt=ExportFormat.CSV,
        state=ExportState.DONE,
        report_built_at=commune.built_at,
        report_state=commune.state,
        size=len(EXPORT),
        requested_by=officer,
        finished_at=timezone.now(),
    )
    export.file.save("bao-cao-muong-khoa.csv", ContentFile(EXPORT))
    reports = {"accepted": commune, "submitted": district, "draft": by_unit[tree.lai_chau.pk]}
    return period, reports, run, export


def snapshot(world: World) -> tuple[Any, ...]:
    """What a successful write would change: the other side's records and their states."""
    body = world.tree.ubnd_muong_khoa
    reports = UnitReport.objects.filter(pk__in=[r.pk for r in world.reports.values()])
    return (
        list(
            SocialPage.objects.filter(body=body)
            .order_by("pk")
            .values_list("pk", "state", "display_name", "url")
        ),
        list(
            ContactPerson.objects.filter(Q(body=body) | Q(page__body=body))
            .order_by("pk")
            .values_list("pk", "name", "phone")
        ),
        list(PostingRules.objects.filter(body=body).order_by("pk").values_list("pk", "file")),
        list(
            Incident.objects.filter(Q(body=body) | Q(page__body=body))
            .order_by("pk")
            .values_list("pk", "state", "page_id")
        ),
        list(Evidence.objects.filter(incident=world.incident).order_by("pk").values_list("pk")),
        world.incident.steps.count(),
        list(
            Directive.objects.filter(issuer__unit=world.tree.tan_uyen)
            .order_by("pk")
            .values_list("pk", "state", "subject", "number")
        ),
        list(
            Receipt.objects.filter(unit=world.tree.muong_khoa)
            .order_by("pk")
            .values_list("pk", "read_at", "acknowledged_at", "reported_at")
        ),
        Reminder.objects.count(),
        ImplementationReport.objects.count(),
        Attachment.objects.count(),
        list(
            reports.order_by("pk").values_list(
                "pk",
                "state",
                "achievements",
                "impersonation_scans",
                "review_note",
                "built_at",
                "submitted_at",
                "accepted_at",
                "totals",
            )
        ),
        ReportStep.objects.filter(report__in=reports).count(),
        list(
            ExportJob.objects.filter(report__in=reports)
            .order_by("pk")
            .values_list("pk", "state", "file", "size")
        ),
        list(BuildRun.objects.filter(pk=world.build_run.pk).values_list("state", "total", "done")),
    )


def body_of(response: Any) -> bytes:
    """The bytes of a response, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(getattr(response, "content", b"") or b"")


def leaks(world: World, response: Any) -> list[str]:
    """The other commune's strings (or one of its files) found in a response."""
    content = body_of(response)
    text = content.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            text += json.dumps(json.loads(content), ensure_ascii=False)
    text = nfc(text)
    found = [marker for marker in world.markers if marker in text]
    found += [name for name, data in FILES.items() if data in content]
    return found


FILES = {"the rules PDF": PDF, "the screenshot": PNG, "the export": EXPORT}


def ids(world: World, kind: str) -> list[int]:
    """The ids of the world's objects of one kind, to put in URLs and query strings."""
    tree = world.tree
    return {
        "unit": [tree.muong_khoa.pk, tree.tan_uyen.pk, tree.lai_chau.pk],
        "body": [tree.ubnd_muong_khoa.pk],
        "page": [page.pk for page in world.pages.values()],
        "contact": [world.contact.pk],
        "rules": [world.rules.pk],
        "incident": [world.incident.pk],
        "evidence": [evidence.pk for evidence in world.evidence.values()],
        "directive": [d.pk for d in world.directives.values()],
        "receipt": [world.receipt.pk],
        "attachment": [world.attachment.pk],
        "finding": [world.finding.pk],
        "paper": [world.paper.pk],
        "spokesperson": [world.spokesperson.pk],
        "fake_review": [world.fake_review.pk],
        "report": [report.pk for report in world.reports.values()],
        "export": [world.export.pk],
        "run": [world.build_run.pk],
        "period": [world.period.pk],
    }[kind]


class _Counts:
    """A pytest plugin that prints, at the end of the run, what the probes counted."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for label, count in self.counts.items():
            terminalreporter.write_line(f"{label}: {count}")


def record(config: Any, label: str, count: int) -> None:
    """Add ``count`` to a figure printed in the run's summary (whatever ``-q`` says)."""
    plugin = config.pluginmanager.get_plugin("portal-probe-counts")
    if plugin is None:
        plugin = _Counts()
        config.pluginmanager.register(plugin, "portal-probe-counts")
    plugin.counts[label] = plugin.counts.get(label, 0) + count
