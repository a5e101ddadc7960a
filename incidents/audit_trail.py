"""What writes the audit trail for incidents: a receiver on the ``IncidentStep`` rows.

Each move already writes a step row inside its service's transaction; the receiver on that
row writes the event, in the same transaction. Connected once, from
``IncidentsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from audit.models import AuditAction
from audit.services import body_unit_path, record
from incidents.models import IncidentState, IncidentStep

# Incident moves that are decisions by an officer; reviewing and reporting are not.
INCIDENT_MOVES: dict[str, str] = {
    IncidentState.ESCALATED_TO_PROVINCE: AuditAction.INCIDENT_ESCALATE,
    IncidentState.RESOLVED: AuditAction.INCIDENT_RESOLVE,
    IncidentState.DISMISSED: AuditAction.INCIDENT_DISMISS,
}


def on_incident_step(sender: Any, instance: IncidentStep, created: bool, **kwargs: Any) -> None:
    action = INCIDENT_MOVES.get(instance.to_state)
    if not created or action is None or not instance.from_state:
        return
    incident = instance.incident
    record(
        action=action,
        actor=instance.by,
        obj=incident,
        unit_path=body_unit_path(incident.body_id),
        note=instance.note,
    )


def connect() -> None:
    """Connect the receiver; called once from ``IncidentsConfig.ready``."""
    post_save.connect(on_incident_step, sender=IncidentStep, dispatch_uid="audit.incident_step")
