"""One workflow machinery for every state machine of the portal.

Pages (``accounts_registry``), incidents and monitoring findings (``incidents``), reports
(``reports``) and directives (``directives``) each declare a :class:`Workflow`: their model,
the moves allowed from each state (``{from: {to: Rule}}``), who may make each move (a
:class:`Rule`'s predicate, built on ``users.scope`` or the app's selectors), how the row is
locked, saved and its step written, and who is told. Every state change then goes through
the one :func:`transition`, which, inside one transaction:

1. re-reads the row under a row lock (``select_for_update``, the app's ``lock``);
2. checks the move is declared from the current state, else raises the app's own
   ``ValidationError`` (its Vietnamese/English message, unchanged);
3. checks who acts against the rule's predicate, else raises ``PermissionDenied`` (or the
   app's own refusal);
4. runs the service's own checks and field changes (``apply``), sets the state, validates and
   saves with ``_history_user`` (``full_clean`` in the app's ``save``);
5. writes the step row (``PageReview``, ``IncidentStep``, ``ReportStep``; for directives
   and findings the historical record written by the save is the step); the audit entry is
   written by the app's ``audit_trail`` receiver on that row, in the same transaction, so a move without
   its audit entry cannot exist;
6. tells whoever must act next (the app's ``notify``): the notices are rows of the same
   transaction, and ``notifications.notify`` queues their emails with
   ``transaction.on_commit``, so nothing is sent for a move that is rolled back.

Why this module lives in ``users``: deciding who may act is its business (``users.scope``),
and it is the lowest app that all four already import and that imports none of them
(``audit``, below it, knows nothing of roles; ``notifications`` is delivery, not state). The module itself imports nothing from a domain app: each app
passes in its model, rules and hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from users.models import User

M = TypeVar("M", bound=models.Model)
S = TypeVar("S")

Actor = User | None
Predicate = Callable[[Actor, M], bool]


def _permission_denied() -> Exception:
    return PermissionDenied()


@dataclass(frozen=True)
class Rule(Generic[M]):
    """Who may make one move.

    ``may(user, obj)`` answers for a user (``None`` is the system: a task, a command, the
    demo, where the app allows it); without ``may`` the callers decide (the rule says why in
    ``why``). ``refuse`` builds the exception raised when ``may`` says no.
    """

    may: Predicate[M] | None = None
    refuse: Callable[[], Exception] = _permission_denied
    why: str = ""


@dataclass(frozen=True)
class Workflow(Generic[M, S]):
    """A declared state machine over ``model``'s ``state_field``.

    ``lock(obj)`` re-reads the row under a row lock (with what the predicates, the save and
    the notices read); ``refusal(obj, to_state)`` is the app's error for a move that is not
    declared from ``obj``'s state; ``save(obj, by)`` validates and saves; ``record(obj,
    from_state, by, note)`` writes the step and returns it; ``notify(obj, step)`` tells
    whoever must act next.
    """

    name: str
    model: type[M]
    transitions: Mapping[str, Mapping[str, Rule[M]]]
    lock: Callable[[M], M]
    refusal: Callable[[M, str], ValidationError]
    save: Callable[[M, Actor], None]
    record: Callable[[M, str, Actor, str], S]
    notify: Callable[[M, S], object] | None = None
    state_field: str = "state"
    states: tuple[str, ...] = field(default=())

    def targets(self, state: str) -> tuple[str, ...]:
        """The states a row in ``state`` may move to (in declaration order)."""
        return tuple(self.transitions.get(state, {}))

    def moves(self) -> list[tuple[str, str]]:
        """Every declared move, as (from, to)."""
        return [(source, target) for source, rules in self.transitions.items() for target in rules]

    def rule(self, from_state: str, to_state: str) -> Rule[M] | None:
        return self.transitions.get(from_state, {}).get(to_state)

    def may(self, user: Actor, obj: M, to_state: str) -> bool:
        """Whether ``user`` may move ``obj`` (in its current state) to ``to_state``."""
        rule = self.rule(self.state_of(obj), to_state)
        return rule is not None and (rule.may is None or rule.may(user, obj))

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.state_field))


class Moved(NamedTuple, Generic[M, S]):
    """What :func:`transition` did: the row as saved (under its lock) and the step."""

    obj: M
    step: S


def transition(
    workflow: Workflow[M, S],
    obj: M,
    to_state: str,
    *,
    by: Actor,
    note: str = "",
    check: bool = True,
    sources: Collection[str] | None = None,
    refusal: Any = None,
    apply: Callable[[M], None] | None = None,
    save: Callable[[M, Actor], None] | None = None,
    notify: bool = True,
) -> Moved[M, S]:
    """Move ``obj`` to ``to_state``: lock, check the state, check who acts, save, record, tell.

    ``sources`` narrows the states a service moves from when two services reach the same
    state (approving and re-confirming a page both end "approved"); ``refusal`` is that
    service's own message for a wrong state (a lazy text formatted with
    ``{"state": <state, lower case>}``), else the workflow's. ``check=False`` skips the
    rule's predicate (for callers that have checked it already). ``apply`` runs the
    service's own checks and field changes on the locked row before the state is set;
    ``save`` replaces the workflow's save for this move (a save that does more, such as
    delivering an issued letter). Raises ``ValidationError`` or the rule's refusal; nothing
    is written then. Call it inside the service's ``transaction.atomic``: it joins that
    transaction rather than opening a savepoint.
    """
    # No savepoint of its own: the service's atomic block around it is the one to roll back
    # (a savepoint here would add two queries to every move).
    with transaction.atomic(savepoint=False):
        locked = workflow.lock(obj)
        from_state = workflow.state_of(locked)
        rule = workflow.rule(from_state, to_state)
        if rule is None or (sources is not None and from_state not in sources):
            if refusal is not None:
                raise ValidationError(refusal % {"state": _display(locked, workflow).lower()})
            raise workflow.refusal(locked, to_state)
        if check and rule.may is not None and not rule.may(by, locked):
            raise rule.refuse()
        if apply is not None:
            apply(locked)
        setattr(locked, workflow.state_field, to_state)
        (save or workflow.save)(locked, by)
        step = workflow.record(locked, from_state, by, note)
        if notify and workflow.notify is not None:
            workflow.notify(locked, step)
        return Moved(locked, step)


def _display(obj: models.Model, workflow: Workflow[Any, Any]) -> str:
    """The current state's label, as the model shows it."""
    display = getattr(obj, f"get_{workflow.state_field}_display", None)
    return str(display()) if display is not None else workflow.state_of(obj)
