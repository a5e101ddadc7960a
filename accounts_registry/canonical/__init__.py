"""Canonical forms of social-media page addresses: one page, one URL, one identity key.

Pure functions (no models, no network): a pasted address is parsed, checked against the
rules of its platform and reduced to the form the register stores. Short links that only the
platform could resolve are refused rather than guessed. The rules are described, with
examples, in ``docs/page-urls.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

from accounts_registry.canonical.base import (
    EXAMPLES,
    MAX_INPUT_LENGTH,
    MAX_KEY_LENGTH,
    MAX_URL_LENGTH,
    MSG_EMPTY,
    MSG_NOT_URL,
    MSG_TOO_LONG,
    PLATFORM_NAMES,
    CanonicalPage,
    InvalidPageURL,
    RuleSet,
    _in_domain,
    _parse,
    _Refusal,
)
from accounts_registry.canonical.platforms import RULES, _generic

__all__ = [
    "EXAMPLES",
    "MAX_INPUT_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_URL_LENGTH",
    "MSG_EMPTY",
    "MSG_NOT_URL",
    "MSG_TOO_LONG",
    "PLATFORM_NAMES",
    "CanonicalPage",
    "InvalidPageURL",
    "RuleSet",
    "canonicalise",
    "detect_rules",
]


def detect_rules(url: str) -> RuleSet | None:
    """Which known platform a URL belongs to, from its host; None if unknown."""
    try:
        parsed = _parse(url, "")
    except InvalidPageURL:
        return None
    for rules, (domains, _rule) in RULES.items():
        if _in_domain(parsed.host, domains):
            return rules
    return None


def canonicalise(
    url: str, rules: RuleSet | str, *, extra_hosts: Sequence[str] = ()
) -> CanonicalPage:
    """Reduce a page address to its canonical form; raise InvalidPageURL if it is not one.

    ``extra_hosts`` are the hosts of a platform using the generic rules; the rules of the
    known platforms ignore them.
    """
    rules = RuleSet(rules)
    if rules is RuleSet.GENERIC:
        return _generic(url, extra_hosts)
    example = EXAMPLES[rules]
    _domains, rule = RULES[rules]
    return rule(_parse(url, example), _Refusal(PLATFORM_NAMES[rules], example))
