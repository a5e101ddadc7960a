"""A letter's workflow: a draft is issued (a sent letter, frozen) or put away.

Every move goes through ``users.workflow.transition``: ``directive_issue``
(``directives.services.issuing``) and ``directive_archive`` below.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from directives.models import Directive, DirectiveState
from directives.services.drafting import _save
from directives.services.notices import _notify_delivery
from users import scope
from users.models import User
from users.workflow import Rule, Workflow, transition


@transaction.atomic
def directive_archive(directive: Directive, *, by: User | None) -> Directive:
    """Put away a draft that will not be issued (nothing is deleted)."""
    return transition(
        DIRECTIVE_WORKFLOW,
        directive,
        DirectiveState.ARCHIVED,
        by=by,
        refusal=_("Only a draft can be archived; an issued letter stays on record."),
    ).obj


def _lock(directive: Directive) -> Directive:
    # The issuer and its unit come along: issuing checks and signs in the issuer's name.
    return (
        Directive.objects.select_for_update(of=("self",))
        .select_related("issuer", "issuer__unit")
        .get(pk=directive.pk)
    )


def _record(directive: Directive, from_state: str, by: User | None, note: str) -> None:
    """A directive's step is its historical record, written by the save (``_history_user``);
    ``directives.audit_trail`` records the issue from it."""


def _notify(directive: Directive, step: None) -> None:
    """An issued letter is delivered: every recipient is told (an archived draft, nobody)."""
    if directive.state == DirectiveState.ISSUED:
        _notify_delivery(directive)


# Who may issue or archive a letter: whoever may issue for its issuer
# (``users.scope.issuing_bodies``, asked on the locked issuer without a query), or the system.
# The demo records the letters of bodies that have since ceased as of their dates
# (``scope.acting_on``), when their officers could sign them.
def _may_manage(by: User | None, directive: Directive) -> bool:
    return by is None or scope.may_issue_for(by, directive.issuer)


_BY_ISSUER = Rule[Directive](may=_may_manage)

# A draft is issued (a sent letter, frozen) or put away; neither comes back.
DIRECTIVE_WORKFLOW: Workflow[Directive, None] = Workflow(
    name="directive",
    model=Directive,
    transitions={
        DirectiveState.DRAFT: {
            DirectiveState.ISSUED: _BY_ISSUER,
            DirectiveState.ARCHIVED: _BY_ISSUER,
        },
        DirectiveState.ISSUED: {},
        DirectiveState.ARCHIVED: {},
    },
    lock=_lock,
    refusal=lambda directive, to_state: ValidationError(
        _("This directive has already been issued or archived.")
    ),
    save=_save,
    record=_record,
    notify=_notify,
)
