"""Writes to incidents: reporting, evidence and the workflow, with their notifications.

Every state change goes through ``incident_transition``, which moves the incident through
``users.workflow.transition`` over ``INCIDENT_WORKFLOW`` (declared from ``TRANSITIONS``): it
locks the row, checks the current state, checks that ``by`` is an officer at or above the
body (or an administrator; ``None`` is the system), writes an ``IncidentStep`` and tells the
body and its reviewers. Views, the API and the admin all call it, so an illegal transition
is impossible from any entry point.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts_registry import canonical
from accounts_registry.models import SocialPage
from incidents.files import check_image
from incidents.models import (
    CLOSED_STATES,
    OWN_PAGE_KINDS,
    Evidence,
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentState,
    IncidentStep,
)
from notifications import services as notifications
from notifications.services import Recipient
from portal.history import record_by
from units.models import Body
from users import scope
from users.models import Role, RoleAssignment, User
from users.workflow import Rule, Workflow, transition

S = IncidentState

# The workflow: from each state, where an officer may move an incident. Closed is final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.UNDER_REVIEW, S.DISMISSED),
    S.UNDER_REVIEW: (S.REPORTED_TO_PLATFORM, S.ESCALATED_TO_PROVINCE, S.RESOLVED, S.DISMISSED),
    S.REPORTED_TO_PLATFORM: (S.ESCALATED_TO_PROVINCE, S.RESOLVED, S.DISMISSED),
    S.ESCALATED_TO_PROVINCE: (S.REPORTED_TO_PLATFORM, S.RESOLVED, S.DISMISSED),
    S.RESOLVED: (),
    S.DISMISSED: (),
}


def allowed_transitions(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())


def canonical_address(url: str) -> str:
    """The canonical form of a recognisable page address, else ""."""
    rules = canonical.detect_rules(url)
    if rules is None or rules == canonical.RuleSet.GENERIC:
        return ""
    try:
        return canonical.canonicalise(url, rules).url
    except canonical.InvalidPageURL:
        return ""


def _save(incident: Incident, by: User | None) -> None:
    record_by(incident, by)
    incident.full_clean()
    incident.save()


@transaction.atomic
def incident_report(
    *,
    body: Body,
    kind: str,
    description: str,
    by: User,
    page: SocialPage | None = None,
    url: str = "",
    discovered_at: datetime | None = None,
) -> Incident:
    """A body's staff report loss of control of one of its pages, an impersonation, or false
    information posted on one of its pages (``url`` then optionally names the post)."""
    if kind in OWN_PAGE_KINDS:
        if page is None:
            raise ValidationError(
                {
                    "page": _("Choose the page the body lost control of.")
                    if kind == IncidentKind.LOST_CONTROL
                    else _("Choose the official page the false information was posted on.")
                }
            )
        if page.body_id != body.pk:
            raise ValidationError({"page": _("This page is not one of the body's pages.")})
    elif not url:
        raise ValidationError({"url": _("Give the address of the impersonating page.")})
    incident = Incident(
        kind=kind,
        body=body,
        page=page if kind in OWN_PAGE_KINDS else None,
        url=url or (page.url if page is not None else ""),
        description=description.strip(),
        discovered_at=discovered_at or timezone.now(),
        source=IncidentSource.BODY,
        reporter=by,
    )
    incident.canonical_url = canonical_address(incident.url) if incident.url else ""
    _save(incident, by)
    step = IncidentStep.objects.create(incident=incident, to_state=incident.state, by=by)
    notify(incident=incident, step=step)
    return incident


@transaction.atomic
def incident_report_public(
    *,
    body: Body,
    url: str,
    description: str,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    image: UploadedFile | None = None,
) -> Incident:
    """A citizen reports a page that impersonates ``body``; it starts as a new incident."""
    checked = check_image(image) if image is not None else None
    incident = Incident(
        kind=IncidentKind.IMPERSONATION,
        body=body,
        url=url.strip(),
        description=description.strip(),
        source=IncidentSource.PUBLIC,
        reporter_name=reporter_name.strip(),
        reporter_email=reporter_email.strip(),
        reporter_phone=reporter_phone.strip(),
    )
    incident.canonical_url = canonical_address(incident.url)
    _save(incident, None)
    IncidentStep.objects.create(incident=incident, to_state=incident.state)
    if image is not None and checked is not None:
        _store_image(incident=incident, image=image, by=None, note="")
    notify(incident=incident)
    return incident


@transaction.atomic
def incident_transition(
    *, incident: Incident, to_state: str, by: User | None, note: str
) -> Incident:
    """Move an incident one step along its workflow, with a note saying why."""

    def apply(locked: Incident) -> None:
        if not note.strip():
            raise ValidationError({"note": _("Write a note saying what was done and why.")})
        now = timezone.now()
        # The step is dated like the fields it sets (``_record``).
        locked._moved_at = now  # type: ignore[attr-defined]
        if to_state == S.REPORTED_TO_PLATFORM and locked.reported_to_platform_at is None:
            locked.reported_to_platform_at = now
        if to_state in CLOSED_STATES:
            locked.closed_at = now

    return transition(INCIDENT_WORKFLOW, incident, to_state, by=by, note=note, apply=apply).obj


# --- The workflow -------------------------------------------------------------------------------


def _lock(incident: Incident) -> Incident:
    # The body and its unit come along: the rule reads the unit, the notice the body's name.
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("body", "body__unit")
        .get(pk=incident.pk)
    )


def may_move(by: User | None, incident: Incident) -> bool:
    """Whether ``by`` may move ``incident``: an officer in force at or above its body, or an
    administrator (``selectors.incidents_for(by, REVIEW)``, read from the grants
    ``users.scope`` caches on the user: no query). ``None`` is the system."""
    if by is None:
        return True
    grants = scope.grants_for(by)
    path = incident.body.unit.path
    return grants.is_admin or any(path.startswith(outer) for outer in grants.acting_subtree_paths)


def _refusal(incident: Incident, to_state: str) -> ValidationError:
    return ValidationError(
        _("An incident cannot go from “%(from)s” to “%(to)s”.")
        % {
            "from": incident.get_state_display(),
            "to": dict(IncidentState.choices).get(to_state, to_state),
        }
    )


def _record(incident: Incident, from_state: str, by: User | None, note: str) -> IncidentStep:
    return IncidentStep.objects.create(
        incident=incident,
        from_state=from_state,
        to_state=incident.state,
        note=note.strip(),
        by=by,
        at=getattr(incident, "_moved_at", None) or timezone.now(),
    )


def _notify(incident: Incident, step: IncidentStep) -> None:
    notify(incident=incident, step=step)


_MOVE = Rule[Incident](may=may_move)

# From each state, where an officer may move an incident. Closed is final.
INCIDENT_WORKFLOW: Workflow[Incident, IncidentStep] = Workflow(
    name="incident",
    model=Incident,
    transitions={source: dict.fromkeys(targets, _MOVE) for source, targets in TRANSITIONS.items()},
    lock=_lock,
    refusal=_refusal,
    save=_save,
    record=_record,
    notify=_notify,
)


def _store_image(
    *, incident: Incident, image: UploadedFile, by: User | None, note: str
) -> Evidence:
    checked = check_image(image)
    evidence = Evidence(
        incident=incident,
        content_type=checked.content_type,
        size=checked.size,
        original_filename=checked.original_filename,
        note=note.strip(),
        added_by=by,
    )
    evidence.image.save("upload", image, save=False)
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def evidence_add(
    *,
    incident: Incident,
    by: User | None,
    link: str = "",
    image: UploadedFile | None = None,
    note: str = "",
) -> Evidence:
    """Add a link or a screenshot (checked by content) to an open incident."""
    if incident.is_closed:
        raise ValidationError(_("This incident is closed: no more evidence can be added."))
    if bool(link) == (image is not None):
        raise ValidationError(_("Give either a link or a screenshot."))
    if image is not None:
        return _store_image(incident=incident, image=image, by=by, note=note)
    evidence = Evidence(incident=incident, link=link.strip(), note=note.strip(), added_by=by)
    evidence.full_clean()
    evidence.save()
    return evidence


def recipients(body: Body, *, state: str = "", day: date | None = None) -> list[Recipient]:
    """Who is told about an incident of ``body``, with their email choice, in one query.

    The body's staff and its reviewers: the officers in force nearest above it, whichever
    level that is (the commune's own office in a two-tier commune that has one, else the
    district's in three-tier history, else the province's). Once the incident is escalated
    to the province, the province's officers too. Nobody anchored on a unit or body that
    has ceased.
    """
    day = day or scope.acting_day()
    rows = (
        RoleAssignment.objects.filter(user__is_active=True)
        .filter(
            (Q(role=Role.BODY_STAFF, body=body) & scope.assignment_in_force_q(day))
            | scope.officers_above_q([body.unit.path], day)
        )
        .values_list("role", "unit__path", "user_id", "user__email", "user__email_notifications")
        .order_by("user_id")
    )
    staff: list[Recipient] = []
    officers: list[tuple[str, Recipient]] = []
    province: list[Recipient] = []
    for role, path, user_id, email, wants_email in rows:
        person = Recipient(user_id, email, wants_email)
        if role == Role.BODY_STAFF:
            staff.append(person)
            continue
        officers.append((path, person))
        if role == Role.PROVINCE_OFFICER and state == S.ESCALATED_TO_PROVINCE:
            province.append(person)
    chosen = {
        person.pk: person
        for person in [*staff, *scope.nearest(body.unit.path, officers), *province]
    }
    return [chosen[pk] for pk in sorted(chosen)]


def notify(*, incident: Incident, step: IncidentStep | None = None) -> int:
    """Tell the body and its reviewers about the incident's current state, once.

    The keys name the incident, the state and the user, so a second call for the same
    state (a retry, a double submit) creates no notice and queues no email; the email goes
    only to those who want email, with the note of the ``step`` that moved the incident and
    signed by whoever moved it. Returns how many notices were new.
    """
    link = reverse("incidents:detail", args=[incident.pk])
    body = Body.objects.select_related("unit").get(pk=incident.body_id)
    people = recipients(body, state=incident.state)
    with override("vi"):
        # Notices are stored text: written in the portal's language, not the caller's.
        text = str(
            _("Incident #%(id)s (%(kind)s, %(body)s): %(state)s")
            % {
                "id": incident.pk,
                "kind": incident.get_kind_display(),
                "body": incident.body.name,
                "state": incident.get_state_display(),
            }
        )
    return notifications.notify(
        people,
        text=text,
        key=f"incident:{incident.pk}:{incident.state}",
        link=link,
        subject=text,
        note=step.note if step is not None else "",
        sender=(
            notifications.sender_name(step.by, path=body.unit.path) if step is not None else ""
        ),
    )
