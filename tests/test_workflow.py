"""One workflow (issue #11): every declared move, for every role of the scope world.

The subjects are Cẩm Ngọc's (its People's Committee's page, incident, finding and report,
and a letter of Cẩm Thủy's People's Committee to it), moved through the public services by
the users of ``tests/scope_world.py``: the staff of UBND xã Cẩm Ngọc, the officers of Xã Cẩm
Ngọc, Huyện Cẩm Thủy and Tỉnh Thanh Hóa, the system administrator, and the system itself
(``by=None``: a task, a command, the demo). Who may make each move is written out here, as
the views and the API allow it; a refused move leaves the state and the steps as they were,
an allowed one writes exactly one step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from accounts_registry.models import PageReview, PageState, Platform, SocialPage
from accounts_registry.services import pages as page_services
from directives import services as directive_services
from directives.models import Directive, DirectiveState
from directives.services.workflow import DIRECTIVE_WORKFLOW
from incidents import services as incident_services
from incidents import services_findings as finding_services
from incidents.models import (
    FindingCategory,
    FindingSeverity,
    FindingSource,
    FindingState,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentStep,
    MonitoringFinding,
)
from reports import services as report_services
from reports.build import build_period
from reports.models import ReportState, ReportStep, UnitReport
from tests import factories
from tests.reports.conftest import DECLARATIONS
from tests.scope_world import World, module_world
from users.models import User
from users.workflow import Workflow

P, S, F, R, D = PageState, IncidentState, FindingState, ReportState, DirectiveState

STAFF = "commune staff"
COMMUNE = "commune officer"
DISTRICT = "district officer"
PROVINCE = "provincial officer"
ADMIN = "administrator"
SYSTEM = "the system"
ROLES = (STAFF, COMMUNE, DISTRICT, PROVINCE, ADMIN, SYSTEM)

# Who acts for the body (edits its page, remediates), who reviews above it, who prepares and
# who reviews the commune's report, who is on the finder's side of a finding recorded by the
# district: as the views and the API allow it.
FOR_THE_BODY = {STAFF, ADMIN, SYSTEM}
ABOVE_THE_BODY = {COMMUNE, DISTRICT, PROVINCE, ADMIN, SYSTEM}
PREPARE_REPORT = {STAFF, COMMUNE, ADMIN}
REVIEW_REPORT = {DISTRICT, PROVINCE, ADMIN}
FINDER_SIDE = {DISTRICT, PROVINCE, ADMIN}
# Who signs for the district's People's Committee: its own officer (not the province above it,
# not the commune below), an administrator recording a letter, or the system.
ISSUE_FOR_THE_DISTRICT = {DISTRICT, ADMIN, SYSTEM}


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world for the module; each test runs in a savepoint of it, rolled back."""
    with module_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


def _user(world: World, role: str) -> User | None:
    return {
        STAFF: world.commune_staff,
        COMMUNE: world.commune_officer,
        DISTRICT: world.district_officer,
        PROVINCE: world.province_officer,
        ADMIN: world.admin,
        SYSTEM: None,
    }[role]


# --- The subjects, brought to a state through the services (by the system where it may) ----


def _page(world: World, state: str) -> SocialPage:
    page = page_services.page_register(
        body=world.tree.ubnd_cam_ngoc,
        platform=Platform.objects.get(code="facebook"),
        url="https://www.facebook.com/ubndxacamngoc.workflow",
        display_name="UBND Xã Cẩm Ngọc",
        by=None,
    )
    if state == P.DRAFT:
        return page
    page = page_services.page_submit(page=page, by=None)
    if state == P.RETURNED:
        return page_services.page_return(page=page, by=None, note="Thiếu tên bộ phận.")
    if state == P.APPROVED:
        return page_services.page_approve(page=page, by=None)
    return page


def _move_page(page: SocialPage, source: str, target: str, by: User | None) -> None:
    if target == P.SUBMITTED:
        page_services.page_submit(page=page, by=by)
    elif target == P.APPROVED and source == P.APPROVED:
        page_services.page_confirm(page=page, by=by)
    elif target == P.APPROVED:
        page_services.page_approve(page=page, by=by, note="Đạt yêu cầu.")
    elif target == P.RETURNED:
        page_services.page_return(page=page, by=by, note="Sửa tên trang.")
    else:
        page_services.page_archive(page=page, by=by, note="Không còn dùng.")


PATHS: dict[str, list[str]] = {
    S.NEW: [],
    S.UNDER_REVIEW: [S.UNDER_REVIEW],
    S.REPORTED_TO_PLATFORM: [S.UNDER_REVIEW, S.REPORTED_TO_PLATFORM],
    S.ESCALATED_TO_PROVINCE: [S.UNDER_REVIEW, S.ESCALATED_TO_PROVINCE],
}


def _incident(world: World, state: str) -> Incident:
    incident = incident_services.incident_report(
        body=world.tree.ubnd_cam_ngoc,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.camngoc.gia.mao",
        description="Trang giả mạo UBND xã.",
        by=world.commune_staff,
    )
    for step in PATHS[state]:
        incident = incident_services.incident_transition(
            incident=incident, to_state=step, by=None, note="Đã kiểm tra."
        )
    return incident


def _move_incident(incident: Incident, source: str, target: str, by: User | None) -> None:
    incident_services.incident_transition(
        incident=incident, to_state=target, by=by, note="Đã xử lý."
    )


def _finding(world: World, state: str) -> MonitoringFinding:
    today = timezone.localdate()
    finding = finding_services.finding_record(
        body=world.tree.ubnd_cam_ngoc,
        by=world.district_officer,
        source=FindingSource.UNIT,
        found_on=today - timedelta(days=1),
        category=FindingCategory.NO_ANSWER,
        severity=FindingSeverity.MEDIUM,
        description="Trang không trả lời bình luận.",
        remediation_required="Trả lời bình luận của người dân.",
        deadline=today + timedelta(days=10),
    )
    if state == F.REMEDIATED:
        finding = finding_services.finding_remediate(finding=finding, by=None, note="Đã trả lời.")
    return finding


def _move_finding(finding: MonitoringFinding, source: str, target: str, by: User | None) -> None:
    if target == F.REMEDIATED:
        finding_services.finding_remediate(finding=finding, by=by, note="Đã trả lời.")
    elif target == F.CLOSED:
        finding_services.finding_close(finding=finding, by=by, note="Đạt.")
    else:
        finding_services.finding_reopen(finding=finding, by=by, note="Chưa trả lời hết.")


def _report(world: World, state: str) -> UnitReport:
    # The system may not prepare nor review a report: a setup administrator of its own.
    setup: Any = factories.admin_user()
    build_period(world.period, unit_ids=[world.tree.cam_ngoc.pk])
    report = UnitReport.objects.get(period=world.period, unit=world.tree.cam_ngoc)
    report = report_services.report_update(report=report, by=setup, **DECLARATIONS)
    if state == R.DRAFT:
        return report
    report = report_services.report_submit(report=report, by=setup)
    if state == R.RETURNED:
        return report_services.report_return(report=report, by=setup, note="Sửa số liệu.")
    if state == R.ACCEPTED:
        return report_services.report_accept(report=report, by=setup)
    return report


def _move_report(report: UnitReport, source: str, target: str, by: Any) -> None:
    if target == R.SUBMITTED:
        report_services.report_submit(report=report, by=by)
    elif target == R.ACCEPTED:
        report_services.report_accept(report=report, by=by, note="Đạt.")
    elif source == R.SUBMITTED:
        report_services.report_return(report=report, by=by, note="Sửa số liệu.")
    else:
        report_services.report_reopen(report=report, by=by, note="Mở lại để sửa.")


def _directive(world: World, state: str) -> Directive:
    issuer = factories.BodyFactory.create(
        unit=world.tree.cam_thuy, name="Ủy ban nhân dân huyện Cẩm Thủy", kind="peoples_committee"
    )
    return directive_services.directive_create(
        issuer=issuer,
        by=None,
        fields={
            "number": "",
            "symbol": "UBND-VHTT",
            "subject": "Rà soát trang mạo danh",
            "body": "Thực hiện Quyết định số 874/QĐ-BTTTT.",
            "report_deadline": timezone.localdate() + timedelta(days=30),
        },
        instructions=["Rà soát trang mạo danh."],
        recipients=directive_services.Recipients(units=[world.tree.cam_ngoc]),
    )


def _move_directive(directive: Directive, source: str, target: str, by: User | None) -> None:
    if target == D.ISSUED:
        directive_services.directive_issue(directive, by=by)
    else:
        directive_services.directive_archive(directive, by=by)


@dataclass(frozen=True)
class Subject:
    """How the table reaches a state, makes a move and counts the steps of one workflow."""

    workflow: Workflow[Any, Any]
    make: Callable[[World, str], Any]
    move: Callable[[Any, str, str, Any], None]
    steps: Callable[[Any], int]


def _history(obj: Any) -> int:
    return int(obj.history.count())


SUBJECTS = {
    "page": Subject(
        page_services.PAGE_WORKFLOW,
        _page,
        _move_page,
        lambda page: PageReview.objects.filter(page=page).count(),
    ),
    "incident": Subject(
        incident_services.INCIDENT_WORKFLOW,
        _incident,
        _move_incident,
        lambda incident: IncidentStep.objects.filter(incident=incident).count(),
    ),
    "finding": Subject(finding_services.FINDING_WORKFLOW, _finding, _move_finding, _history),
    "report": Subject(
        report_services.REPORT_WORKFLOW,
        _report,
        _move_report,
        lambda report: ReportStep.objects.filter(report=report).count(),
    ),
    "directive": Subject(DIRECTIVE_WORKFLOW, _directive, _move_directive, _history),
}

# Every declared move and who may make it.
TABLE: dict[tuple[str, str, str], set[str]] = {
    ("page", P.DRAFT, P.SUBMITTED): FOR_THE_BODY,
    ("page", P.DRAFT, P.ARCHIVED): FOR_THE_BODY,
    ("page", P.RETURNED, P.SUBMITTED): FOR_THE_BODY,
    ("page", P.RETURNED, P.ARCHIVED): FOR_THE_BODY,
    ("page", P.SUBMITTED, P.APPROVED): ABOVE_THE_BODY,
    ("page", P.SUBMITTED, P.RETURNED): ABOVE_THE_BODY,
    ("page", P.SUBMITTED, P.ARCHIVED): FOR_THE_BODY,
    ("page", P.APPROVED, P.APPROVED): FOR_THE_BODY,
    ("page", P.APPROVED, P.ARCHIVED): FOR_THE_BODY,
    **{
        ("incident", source, target): ABOVE_THE_BODY
        for source, targets in incident_services.TRANSITIONS.items()
        for target in targets
    },
    ("finding", F.OPEN, F.REMEDIATED): FOR_THE_BODY,
    ("finding", F.OPEN, F.CLOSED): FINDER_SIDE,
    ("finding", F.REMEDIATED, F.CLOSED): FINDER_SIDE,
    ("finding", F.REMEDIATED, F.OPEN): FINDER_SIDE,
    ("report", R.DRAFT, R.SUBMITTED): PREPARE_REPORT,
    ("report", R.RETURNED, R.SUBMITTED): PREPARE_REPORT,
    ("report", R.SUBMITTED, R.ACCEPTED): REVIEW_REPORT,
    ("report", R.SUBMITTED, R.RETURNED): REVIEW_REPORT,
    ("report", R.ACCEPTED, R.RETURNED): REVIEW_REPORT,
    ("directive", D.DRAFT, D.ISSUED): ISSUE_FOR_THE_DISTRICT,
    ("directive", D.DRAFT, D.ARCHIVED): ISSUE_FOR_THE_DISTRICT,
}


def test_the_table_covers_every_declared_move() -> None:
    for name, subject in SUBJECTS.items():
        declared = {(name, source, target) for source, target in subject.workflow.moves()}
        assert declared == {key for key in TABLE if key[0] == name}, name


def _state(obj: models.Model) -> str:
    return str(type(obj)._default_manager.values_list("state", flat=True).get(pk=obj.pk))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "source", "target"), sorted(TABLE))
def test_who_may_make_each_move(
    world: World, db: None, name: str, source: str, target: str, role: str
) -> None:
    subject = SUBJECTS[name]
    obj = subject.make(world, source)
    assert _state(obj) == source
    steps = subject.steps(obj)
    by = _user(world, role)
    allowed = role in TABLE[name, source, target]
    # What the buttons ask (``Workflow.may``) is what the move does.
    assert subject.workflow.may(by, obj, target) == allowed

    if allowed:
        subject.move(obj, source, target, by)
        assert _state(obj) == target
        assert subject.steps(obj) == steps + 1
        return

    with pytest.raises((PermissionDenied, ValidationError)) as refused:
        subject.move(obj, source, target, by)
    if name == "finding" and target != F.REMEDIATED:
        # Only the finder's side closes or reopens: said in the form, not a bare 403.
        assert isinstance(refused.value, ValidationError)
        assert refused.value.code == "not_finder"
    else:
        assert isinstance(refused.value, PermissionDenied)
    assert _state(obj) == source
    assert subject.steps(obj) == steps


def test_a_move_not_declared_is_refused_and_changes_nothing(world: World, db: None) -> None:
    incident = _incident(world, S.NEW)

    with pytest.raises(ValidationError):
        incident_services.incident_transition(
            incident=incident, to_state=S.RESOLVED, by=world.admin, note="Xong."
        )

    assert _state(incident) == S.NEW
    assert IncidentStep.objects.filter(incident=incident).count() == 1


def test_who_may_issue_agrees_with_the_issuing_bodies_of_the_scope(world: World, db: None) -> None:
    # Given every body of the country and the users of the world
    from units.models import Body
    from users import scope

    bodies = list(Body.objects.select_related("unit"))
    assert len(bodies) > 3
    users = [_user(world, role) for role in ROLES if role != SYSTEM]
    for user in users:
        assert user is not None
        # When the workflow asks who may sign for each body, with no query
        allowed = set(scope.issuing_bodies(user).values_list("pk", flat=True))
        # Then it answers exactly as the scope's list of issuing bodies
        assert {body.pk for body in bodies if scope.may_issue_for(user, body)} == allowed
    # And an archived body signs nothing, even for an administrator
    archived = bodies[0]
    archived.archived_at = timezone.now()
    assert not scope.may_issue_for(world.admin, archived)
