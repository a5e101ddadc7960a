"""Writing audit events: the one function every receiver calls, and the helpers they share.

The receivers live with what they record (each app's ``audit_trail`` module, connected from
its ``AppConfig.ready``); this module knows only the trail, the units and the request.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from audit.models import USER_AGENT_MAX, AuditAction, AuditEvent
from portal.client_address import client_address as portal_client_address
from portal.request_context import current_request
from units.models import AdministrativeUnit, Body


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address by the portal's one rule (as the throttles and lockout see it)."""
    if request is None:
        return None
    return portal_client_address(request)


def record(
    *,
    action: str,
    actor: Any = None,
    anonymous: bool = False,
    username: str = "",
    obj: models.Model | None = None,
    unit_path: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one event, with the request's address and browser when there is a request.

    Without an explicit ``request``, the one of the current HTTP request is used (none in a
    Celery task or a management command); without an ``actor``, that request's user, unless
    ``anonymous`` (a failed login names an account but is not that account's act).
    """
    request = request if request is not None else current_request.get()
    if anonymous:
        actor = None
    elif actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else username)[:150],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        unit_path=unit_path,
        ip_address=client_address(request),
        user_agent=str(user_agent)[:USER_AGENT_MAX],
        note=note,
    )


def body_unit_path(body_id: int | None) -> str:
    """The path of the unit of the body ``body_id`` ("" when there is none)."""
    if body_id is None:
        return ""
    path = Body.objects.filter(pk=body_id).values_list("unit__path", flat=True).first()
    return path or ""


def unit_path_of(unit_id: int) -> str:
    """The path of the unit ``unit_id`` ("" when there is none)."""
    return (
        AdministrativeUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
    )


def cached(obj: Any, name: str) -> Any:
    """A related object only if it is already loaded: the receivers add no query for it."""
    return obj._state.fields_cache.get(name)


def record_export(request: HttpRequest, what: str) -> None:
    """Note in the audit trail that ``request``'s user exported personal data."""
    record(
        action=AuditAction.PERSONAL_DATA_EXPORT,
        request=request,
        note=f"{what}: {request.get_full_path()}"[:1000],
    )
