"""The parts every platform's rules share: limits, messages, the parsed address, refusals."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

MAX_INPUT_LENGTH = 2000
# The register's columns: SocialPage.url (500) and SocialPage.canonical_key (300).
MAX_URL_LENGTH = 500
MAX_KEY_LENGTH = 300


class RuleSet(enum.StrEnum):
    """The canonicalisation rules a platform uses."""

    FACEBOOK = "facebook"
    ZALO = "zalo"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    X = "x"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"
    GENERIC = "generic"


# Names are trademarks, shown as they are in every language.
PLATFORM_NAMES = {
    RuleSet.FACEBOOK: "Facebook",
    RuleSet.ZALO: "Zalo",
    RuleSet.YOUTUBE: "YouTube",
    RuleSet.TIKTOK: "TikTok",
    RuleSet.X: "X (Twitter)",
    RuleSet.INSTAGRAM: "Instagram",
    RuleSet.TELEGRAM: "Telegram",
}

EXAMPLES: dict[RuleSet, StrOrPromise] = {
    RuleSet.FACEBOOK: format_lazy(
        _("{first} or {second}"),
        first="https://www.facebook.com/ubndxacamngoc",
        second="https://www.facebook.com/profile.php?id=100064123456789",
    ),
    RuleSet.ZALO: "https://zalo.me/1234567890123456789",
    RuleSet.YOUTUBE: "https://www.youtube.com/@truyenhinhthanhhoa",
    RuleSet.TIKTOK: "https://www.tiktok.com/@tuoitrecamthuy",
    RuleSet.X: "https://x.com/thanhhoatv",
    RuleSet.INSTAGRAM: "https://www.instagram.com/tuoitrecamthuy/",
    RuleSet.TELEGRAM: "https://t.me/conganthanhhoa",
}

MSG_EMPTY = _("Enter the page's address.")
MSG_TOO_LONG = _("This address is too long for a page address.")
MSG_SCHEME = _("Enter a web address starting with https://, for example {example}.")
MSG_NOT_URL = _("This is not a web address. Expected something like {example}.")
MSG_WRONG_HOST = _("This is not a {platform} page address. Expected something like {example}.")
MSG_GROUP = _(
    "This is a {platform} group, not a page. Enter the address of the page itself, "
    "for example {example}."
)
MSG_SHORT_LINK = _(
    "Short or shared {platform} links cannot be checked. Open the link and enter the "
    "address of the page itself, for example {example}."
)
MSG_CONTENT = _(
    "This link points to a single post or video, which does not show which {platform} "
    "page it belongs to. Enter the address of the page itself, for example {example}."
)
MSG_PERSONAL = _(
    "This is a personal Zalo account, not an official account (OA). Enter the address of "
    "the official account, for example {example}."
)
MSG_INVITE = _(
    "This is a private {platform} invitation link. Enter the public address of the "
    "channel, for example {example}."
)
MSG_GENERIC_HOST = _("This address is not on the platform's site. Expected an address on {hosts}.")
MSG_GENERIC_NO_HOSTS = _("No web site is set for this platform yet: ask an administrator.")
MSG_GENERIC_ROOT = _("Enter the address of the page itself, not the home page of {hosts}.")


class InvalidPageURL(ValueError):
    """Carries a user-facing message (translatable, lazy) saying what was expected."""

    def __init__(self, message: StrOrPromise, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        # A stable reason for forms (ValidationError code) and tests, whatever the language.
        self.code = code


@dataclass(frozen=True)
class CanonicalPage:
    """A page address reduced to its canonical form and identity."""

    rules: RuleSet
    url: str
    key: str
    platform_id: str | None
    handle: str | None


@dataclass(frozen=True)
class _Parsed:
    """A pasted address split into the parts the rules look at."""

    host: str
    segments: list[str]
    query: dict[str, list[str]]


# ---------------------------------------------------------------------------------------------
# Parsing common to every platform.

# Characters people paste around an address: angle brackets from e-mail, quotes from documents.
_WRAPPERS = "<>\"'`()[]\u201c\u201d\u2018\u2019\u00ab\u00bb"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):(.?)", re.DOTALL)


def _clean_text(url: str) -> str:
    """Remove whitespace, invisible characters and wrapping brackets or quotes."""
    text = url.translate({ord(ch): None for ch in _INVISIBLE}).strip()
    while text and (text[0] in _WRAPPERS or text[-1] in _WRAPPERS):
        stripped = text.strip(_WRAPPERS).strip()
        if stripped == text:
            break
        text = stripped
    return text


def _error(message: StrOrPromise, code: str, **kwargs: object) -> InvalidPageURL:
    """Build the exception, formatting the lazy message only when it is displayed."""
    return InvalidPageURL(format_lazy(message, **kwargs) if kwargs else message, code=code)


@dataclass(frozen=True)
class _Refusal:
    """Builds the refusals of one platform, naming it and showing its example address."""

    platform: str
    example: StrOrPromise

    def __call__(self, message: StrOrPromise, code: str = "not_a_page") -> InvalidPageURL:
        return _error(message, code, platform=self.platform, example=self.example)


def _parse(url: str, example: StrOrPromise) -> _Parsed:
    """Split a pasted address into host, decoded path segments and query."""
    text = _clean_text(url)
    if not text:
        raise _error(MSG_EMPTY, "empty")
    if len(text) > MAX_INPUT_LENGTH:
        raise _error(MSG_TOO_LONG, "too_long")
    if text.startswith("//"):
        text = "https:" + text
    match = _SCHEME.match(text)
    # "facebook.com:443/x" has no scheme: what looks like one is a host followed by a port.
    if match and not match.group(2).isdigit():
        if match.group(1).lower() not in ("http", "https"):
            raise _error(MSG_SCHEME, "scheme", example=example)
    else:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname or ""
    except ValueError as exc:
        raise _error(MSG_NOT_URL, "not_url", example=example) from exc
    # "https://facebook.com@evil.example" shows one host and opens another.
    if "@" in parts.netloc or port not in (None, 80, 443):
        raise _error(MSG_NOT_URL, "not_url", example=example)
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise _error(MSG_NOT_URL, "not_url", example=example) from exc
    if not host or "." not in host or not re.fullmatch(r"[a-z0-9.\-]+", host):
        raise _error(MSG_NOT_URL, "not_url", example=example)
    path = unicodedata.normalize("NFC", unquote(parts.path))
    segments = [segment for segment in path.split("/") if segment.strip()]
    query = parse_qs(parts.query)
    return _Parsed(host=host, segments=segments, query=query)


def _words(text: str) -> frozenset[str]:
    """The set of words of a whitespace-separated list."""
    return frozenset(text.split())


def _in_domain(host: str, domains: Sequence[str]) -> bool:
    """Whether the host is one of the domains or a subdomain of one."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _bare(host: str) -> str:
    """The host without the www. and m. prefixes that lead to the same site."""
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


# Characters an address may carry unencoded; others (spaces, quotes...) are percent-encoded.
# Letters beyond ASCII stay as they are: the stored URL is an IRI, readable in Vietnamese.
_SAFE_ASCII = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/"
)


def _iri_path(text: str) -> str:
    """Percent-encode the ASCII characters a URL path cannot hold; keep other letters."""
    out: list[str] = []
    for ch in text:
        # Spaces and invisible characters beyond ASCII would not survive copy and paste.
        invisible = ord(ch) >= 128 and unicodedata.category(ch)[0] in "CZ"
        if (ord(ch) < 128 and ch not in _SAFE_ASCII) or invisible:
            out.extend(f"%{byte:02X}" for byte in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def _page(
    rules: RuleSet, url: str, key: str, *, platform_id: str | None = None, handle: str | None = None
) -> CanonicalPage:
    """Build the result, refusing identities the register's columns cannot hold."""
    if len(url) > MAX_URL_LENGTH or len(key) > MAX_KEY_LENGTH:
        raise _error(MSG_TOO_LONG, "too_long")
    return CanonicalPage(rules=rules, url=url, key=key, platform_id=platform_id, handle=handle)
