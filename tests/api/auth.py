"""API tokens for tests: issued the portal's way (``users.tokens.issue``)."""

from __future__ import annotations

from django.utils import timezone

from users import tokens
from users.models import ApiToken, User


def token_for(user: User, *, name: str = "tests") -> str:
    """A new token of ``user``, in clear, as a script would hold it after the token endpoint.

    It is marked as already used today, so that the query budgets of the tests that use it
    measure a request in the steady state; the first use of each day (one ``UPDATE`` and one
    audit event more) is tested in ``tests/api/test_api_tokens.py``.
    """
    token, clear = tokens.issue(user, name=name)
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return clear
