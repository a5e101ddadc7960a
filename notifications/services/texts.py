"""What an email says: the text of a notice's email (in Vietnamese, signed with the sending
unit and the portal, its links built from the portal's address in ``portal.site``), and the
sender's name."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from portal.site import PORTAL_NAME, absolute_url, base_url


def email_text(*, name: str, body: str, link: str = "", note: str = "", sender: str = "") -> str:
    """An email's text: "Kính gửi <name>,", the message, the officer's note, the link, and a
    signature naming the sending unit and the portal. Written in Vietnamese, as notices are.

    ``link`` is a portal path or an absolute address; it is left out when ``body`` already
    holds it (callers that wrote their own text with the link).
    """
    address = absolute_url(link) if link.startswith("/") else link
    with override("vi"):
        text = render_to_string(
            "notifications/email/notice.txt",
            {
                "name": name.strip(),
                "body": body.strip(),
                "note": note.strip(),
                "link": "" if address and address in body else address,
                "sender": sender.strip(),
                "portal_name": PORTAL_NAME,
                "base_url": base_url(),
                "settings_url": absolute_url(reverse("notification_settings")),
            },
        )
    return text.rstrip() + "\n"


def sender_name(user: Any, *, path: str = "") -> str:
    """Who sends an email about ``user``'s action: "<name> (<unit or body>)".

    The unit is the deepest one of the user's officer roles in force at or above ``path``
    (the unit whose office acted), else the body of their staff role, else none. One query.
    """
    if user is None or not getattr(user, "pk", None):
        return ""
    from users import scope
    from users.models import Role, RoleAssignment

    name = getattr(user, "full_name", "") or getattr(user, "username", "")
    rows = RoleAssignment.objects.filter(
        scope.assignment_in_force_q(scope.acting_day()), user_id=user.pk
    ).values_list("role", "unit__path", "unit__name", "body__name")
    officer: tuple[int, str] | None = None
    body = ""
    for role, unit_path, unit_name, body_name in rows:
        if role in scope.OFFICER_ROLES and unit_path and path.startswith(unit_path):
            depth = unit_path.count(".")
            if officer is None or depth > officer[0]:
                officer = (depth, unit_name)
        elif role == Role.BODY_STAFF and body_name and not body:
            body = body_name
    acting_for = officer[1] if officer is not None else body
    return f"{name} ({acting_for})" if name and acting_for else name or acting_for
