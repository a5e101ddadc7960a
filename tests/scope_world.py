"""The world of the scope-isolation test: one object of every scoped kind, out of reach.

Everything is created for UBND Xã Mường Khoa (Lai Châu) through the real services; the
users who probe it all work in Thanh Hóa.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts_registry.models import ContactPerson, Platform, PostingRules, SocialPage
from accounts_registry.services.contacts import contact_set
from accounts_registry.services.pages import page_approve, page_register, page_submit
from accounts_registry.services.rules import rules_upload
from directives import services as directive_services
from directives.models import Directive, Receipt
from incidents.models import Incident, IncidentKind
from incidents.services import incident_report
from tests import factories
from tests.conftest import Tree
from users.models import User

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

CONTACT_NAME = "Lò Thị Sương"
RULES_NUMBER = "MK-874/QĐ-UBND"
INCIDENT_TEXT = "Trang giả mạo đăng tin tuyển dụng, báo cáo số MK-2026"
DIRECTIVE_SUBJECT = "Rà soát trang mạo danh trên địa bàn huyện TU-874"
DIRECTIVE_REPORT = "Xã đã rà soát 12 trang, phát hiện 1 trang giả mạo MK-BC-2026"


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
    directives: dict[str, Directive]  # by state: draft, issued
    receipt: Receipt
    commune_staff: User
    district_officer: User
    province_officer: User
    admin: User

    @property
    def roles(self) -> dict[str, User]:
        return {
            "commune staff of UBND xã Cẩm Ngọc": self.commune_staff,
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
            DIRECTIVE_SUBJECT,
            DIRECTIVE_REPORT,
            self.tree.ubnd_muong_khoa.email,
        ]
        found += [page.url for page in self.pages.values()]
        return [nfc(m) for m in found if m]


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
    directive_services.report_submit(
        receipt,
        by=staff,
        text=DIRECTIVE_REPORT,
        files=[SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")],
    )
    return World(
        tree=tree,
        pages={"draft": draft, "submitted": submitted, "approved": approved},
        contact=contact,
        rules=rules,
        incident=incident,
        directives={"draft": directive_draft, "issued": issued},
        receipt=receipt,
        commune_staff=factories.staff_of(tree.ubnd_cam_ngoc),
        district_officer=factories.officer_of(tree.cam_thuy),
        province_officer=factories.officer_of(tree.thanh_hoa),
        admin=admin,
    )
