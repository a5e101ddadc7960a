"""Facts about registry pages that an app above the registry knows: the extension point.

The registry sits below ``incidents`` in the apps' layers (an incident is about a page, so
``incidents`` imports the registry, never the other way round). Yet some registry pages show
facts only a higher app knows: the public verdict, the directory and the public API show
since when a body lost control of a page (an open incident), and a body's registry page
counts its monitoring findings. Rather than importing that app, the registry asks this
module by name, and the higher app fills it in at start-up (its ``AppConfig.ready()``; see
``incidents/registry_facts.py``).

Two registries, both plain dictionaries filled once at start-up:

- **page annotations**: ``register_annotation(name, build)``, where ``build(page_ref)``
  returns an expression on the page whose id the outer query names ``page_ref`` (one
  subquery, so a list of pages costs no query per row). ``annotation(name, null=...)``
  returns it, or a typed NULL when no app registered the name: the registry then reads as
  if the fact never holds (no page out of control).
- **body page context**: ``register_body_context(name, provide)``, where ``provide(body)``
  returns extra template context for the body's registry page. ``body_context(body)``
  merges what every registered provider returns (nothing when none is registered).

Registering a name again replaces the earlier entry, so a repeated ``ready()`` is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Field, Value
from django.db.models.expressions import BaseExpression

from units.models import Body

# The names the registry asks for.
# When the body lost control of the page (an open incident), or NULL: a ``DateTimeField``.
LOST_CONTROL_SINCE = "lost_control_since"

AnnotationBuilder = Callable[[str], BaseExpression]
BodyContextProvider = Callable[[Body], Mapping[str, Any]]

_annotations: dict[str, AnnotationBuilder] = {}
_body_context: dict[str, BodyContextProvider] = {}


def register_annotation(name: str, build: AnnotationBuilder) -> None:
    """Let the registry annotate pages with ``name``, as ``build(page_ref)`` computes it."""
    _annotations[name] = build


def annotation(name: str, *, null: Field[Any, Any], page_ref: str = "pk") -> BaseExpression:
    """The expression registered for ``name``, or a NULL of the type ``null`` when none is."""
    build = _annotations.get(name)
    if build is None:
        return Value(None, output_field=null)
    return build(page_ref)


def register_body_context(name: str, provide: BodyContextProvider) -> None:
    """Add what ``provide(body)`` returns to the context of a body's registry page."""
    _body_context[name] = provide


def body_context(body: Body) -> dict[str, Any]:
    """The extra context of ``body``'s registry page, from every registered provider."""
    context: dict[str, Any] = {}
    for provide in _body_context.values():
        context.update(provide(body))
    return context
