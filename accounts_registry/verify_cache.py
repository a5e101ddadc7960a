"""The verdict cache of the public verification, and its invalidation by a registry version.

Every verdict depends on a page, its platform, its body, the body's unit and the units above
it, and the page's open incidents. Rather than tracking which cached verdicts each write
touches, every write to one of those tables replaces a single "registry version" token; a
cached verdict is used only when it was computed under the current token. A page archived
or reported hijacked is therefore never answered "official" from the cache: the write that
archives it or opens the incident makes every cached verdict stale.

Writes that go through ``save()``/``delete()`` bump the version through the signals below
(an incident's, by ``incidents/registry_facts.py``: the registry sits below incidents and
does not import them);
the other bulk writers (``QuerySet.update``, ``bulk_update``, ``bulk_create``) send no signal and
call :func:`bump_registry_version` themselves. Verdicts also expire after
``VERDICT_TIMEOUT`` seconds, a bound on staleness should a write slip past both (a raw SQL
fix in a shell).

A lookup is one cache round trip: the version and the verdict are read together, and the
verdict carries the version it was computed under.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from typing import Any

# Named explicitly as this module's: the tests reach the verdicts through it.
from django.core.cache import cache as cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from accounts_registry.models import Platform, SocialPage

VERSION_KEY = "registry:version"
# Long enough to carry a crowd, short enough that a write no code path saw is soon reflected.
VERDICT_TIMEOUT = 600
_VERDICT_PREFIX = "verify:verdict"
# Per thread (a web worker serves one request at a time in it): the registry version the
# last lookup read, and the platforms read under it.
_seen = threading.local()


def bump_registry_version() -> None:
    """Make every cached verdict stale, now and again when the current transaction commits.

    The bump at commit is the one that counts: a verification running between the write and
    the commit still reads the old rows and would cache them under the new token. The bump
    now covers the writer's own reads inside the transaction.
    """
    _replace_version()
    transaction.on_commit(_replace_version)


def _replace_version() -> str:
    # A fresh random token rather than a counter: no read-modify-write, so concurrent bumps
    # cannot lose one another, and a token never comes back after the cache is cleared.
    token = uuid.uuid4().hex
    cache.set(VERSION_KEY, token, timeout=None)
    return token


def verdict_key(url: str, *, kind: str = "verdict") -> str:
    """The cache key of the answer on ``url`` (as typed, stripped) in the active language.

    ``kind`` keeps apart the shapes of one answer: the selector's ``Verdict`` and the API's
    ready-made JSON object.
    """
    # Hashed: the input is untrusted, and cache keys must be short and free of spaces.
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{_VERDICT_PREFIX}:{kind}:{translation.get_language() or ''}:{digest}"


def cached_verdict(url: str, compute: Callable[[], Any], *, kind: str = "verdict") -> Any:
    """The answer on ``url`` from the cache when still current, else ``compute()`` stored."""
    key = verdict_key(url, kind=kind)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    _seen.version = version
    entry = found.get(key)
    if version is not None and isinstance(entry, tuple) and entry[0] == version:
        return entry[1]
    if version is None:
        # No token yet (or the cache was cleared): start one. ``add`` so that a bump racing
        # with this is not overwritten.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    verdict = compute()
    if version is not None:
        cache.set(key, (version, verdict), timeout=VERDICT_TIMEOUT)
    return verdict


def platforms(load: Callable[[], list[Platform]]) -> list[Platform]:
    """The platforms, kept by this thread while the registry version it last read holds.

    A cache miss of a verdict would otherwise read the platforms table each time; it
    changes only through ``save()``, which bumps the version. Without a version (no cache,
    or a call outside ``cached_verdict``) they are read each time.
    """
    version = getattr(_seen, "version", None)
    memo = getattr(_seen, "platforms", None)
    if version is not None and memo is not None and memo[0] == version:
        kept: list[Platform] = memo[1]
        return kept
    loaded = load()
    _seen.platforms = (version, loaded)
    return loaded


def _on_registry_write(sender: type[Any], **kwargs: Any) -> None:
    bump_registry_version()


def connect_signals() -> None:
    """Bump the version on every save or delete of what a verdict is built from.

    Incidents are watched by ``incidents.registry_facts.connect()``, with the same uids.
    """
    from units.models import AdministrativeUnit, Body, Reorganisation

    # A Reorganisation row is saved by the unit merges and renames of units/services.py,
    # inside the transaction whose bulk updates (no signal) move bodies and close units:
    # the bump it triggers at commit covers them.
    from units.signals import units_bulk_written

    watched = (SocialPage, Platform, Body, AdministrativeUnit, Reorganisation)
    for model in watched:
        uid = f"verify_cache:{model._meta.label}"
        post_save.connect(_on_registry_write, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_registry_write, sender=model, dispatch_uid=f"{uid}:delete")
    # The division importer and the reconciler write units in bulk, with no post_save.
    units_bulk_written.connect(_on_registry_write, dispatch_uid="verify_cache:units_bulk")
