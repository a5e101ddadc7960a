"""Helpers that put incidents and screenshots into the database through the services."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import services
from incidents.models import Incident, IncidentKind, IncidentState
from units.models import Body
from users.models import User

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64

# The path to each state from NEW, one step at a time.
PATHS: dict[str, list[str]] = {
    IncidentState.NEW: [],
    IncidentState.UNDER_REVIEW: [IncidentState.UNDER_REVIEW],
    IncidentState.REPORTED_TO_PLATFORM: [
        IncidentState.UNDER_REVIEW,
        IncidentState.REPORTED_TO_PLATFORM,
    ],
    IncidentState.ESCALATED_TO_PROVINCE: [
        IncidentState.UNDER_REVIEW,
        IncidentState.ESCALATED_TO_PROVINCE,
    ],
    IncidentState.RESOLVED: [IncidentState.UNDER_REVIEW, IncidentState.RESOLVED],
    IncidentState.DISMISSED: [IncidentState.DISMISSED],
}


def png(name: str = "anh-chup.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def incident(
    body: Body,
    *,
    by: User,
    state: str = IncidentState.NEW,
    url: str = "https://www.facebook.com/ubnd.gia.mao",
    officer: User | None = None,
) -> Incident:
    """An impersonation of ``body`` reported by ``by`` and moved to ``state`` by ``officer``
    (else by the system: a body's staff may not move an incident)."""
    reported = services.incident_report(
        body=body,
        kind=IncidentKind.IMPERSONATION,
        url=url,
        description="Trang giả mạo UBND xã đăng tin tuyển dụng.",
        by=by,
    )
    for step in PATHS[state]:
        reported = services.incident_transition(
            incident=reported, to_state=step, by=officer, note="Đã kiểm tra."
        )
    return reported
