"""Who sees a citizen reporter's details: the one rule, for the pages and the API.

The officers above the body (the commune's culture office, the province) and
administrators see them, never the staff of the body the report is about.
"""

from __future__ import annotations

from users import scope
from users.models import User


def may_see_reporter(user: User, unit_path: str) -> bool:
    """Whether ``user`` may see the contact details of a citizen who reported an incident
    of a body in the unit at ``unit_path``: administrators and the officers above it only
    (no query: the user's grants are read once per request)."""
    grants = scope.grants_for(user)
    if grants.is_admin:
        return True
    return any(unit_path.startswith(path) for path in grants.subtree_paths)
