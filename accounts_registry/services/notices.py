"""Informational notices to a body's reviewers about its contact person and posting rules.

Neither a contact person nor a posting-rules file goes through review: the body's change is
in force at once (see docs/registry.md). The reviewers are still told, because they are the
ones who call the contact and check the rules: an in-app notice always, an email only to
those who chose email (``notifications.services`` honours that choice).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import override

from notifications import services as notifications
from units.models import Body
from users import scope


def tell_reviewers(*, body: Body, text: Any, values: dict[str, Any], key: str, by: Any) -> int:
    """Tell the reviewers of ``body`` (``scope.reviewers_of`` its unit) ``text % values``.

    ``key`` names the event (a history row), so a retry tells nobody twice. Inside
    ``notifications.digest`` the changes of one action are merged per reviewer.
    """
    unit = body.unit
    people = scope.reviewers_of([unit]).get(unit.pk, [])
    if not people:
        return 0
    with override("vi"):
        # Notices are stored text: written in the portal's language, not the caller's.
        message = str(text) % {"body": body.name, **values}
    return notifications.notify(
        people,
        text=message,
        key=key,
        link=reverse("registry:body_registry", args=[body.pk]),
        subject=f"[Cổng MXH] {message}",
        sender=notifications.sender_name(by, path=unit.path),
    )
