"""The rules of each known platform, and the generic rules for the others."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from accounts_registry.canonical.base import (
    MSG_CONTENT,
    MSG_GENERIC_HOST,
    MSG_GENERIC_NO_HOSTS,
    MSG_GENERIC_ROOT,
    MSG_GROUP,
    MSG_INVITE,
    MSG_PERSONAL,
    MSG_SHORT_LINK,
    MSG_WRONG_HOST,
    CanonicalPage,
    RuleSet,
    _bare,
    _error,
    _in_domain,
    _iri_path,
    _page,
    _parse,
    _Parsed,
    _Refusal,
    _words,
)

# Facebook.

_FB_DOMAINS = ("facebook.com", "fb.com", "fb.me", "fb.watch", "fb.gg")
# Hosts that serve the same pages as www.facebook.com (mobile, basic, locale sites).
_FB_PAGE_HOSTS = frozenset(
    f"{prefix}{domain}"
    for prefix in ("", "www.", "m.", "mobile.", "web.", "mbasic.", "touch.", "free.", "d.")
    for domain in ("facebook.com", "fb.com")
)
_FB_LOCALE_HOST = re.compile(r"^[a-z]{2}(-[a-z]{2})?\.facebook\.com$")
_FB_ID = re.compile(r"^[1-9][0-9]{0,19}$")
# Facebook usernames: letters, digits and dots (ASCII only), at least five characters.
_FB_USERNAME = re.compile(r"^[a-z0-9.]{5,50}$")
# Pages without a username: "/Name-With-Dashes-123456789/", with the id at the end.
_FB_NAME_WITH_ID = re.compile(r"^.+-([1-9][0-9]{5,19})$")
_FB_RESERVED = _words(
    """
    login login.php logout logout.php recover checkpoint reg r.php signup help watch share
    sharer sharer.php events marketplace home home.php gaming reel reels stories story
    photo photo.php photos video video.php videos hashtag search settings messages
    notifications friends bookmarks dialog plugins privacy policies policy.php terms legal ads
    business careers developers fundraisers games live media memories saved tr l.php ufi
    composer notes latest feeds me index.php find-friends pages_reaction_units places
    campaign donate help.php permalink profile photo.php live_videos lite mobile
    """
)


def _facebook(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise a Facebook page address."""
    host, segments = parsed.host, parsed.segments
    if host in ("fb.watch", "fb.gg") or (host == "fb.me" and len(segments) != 1):
        raise refuse(MSG_SHORT_LINK, "short_link")
    if host != "fb.me" and host not in _FB_PAGE_HOSTS and not _FB_LOCALE_HOST.match(host):
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if not segments:
        raise refuse(MSG_WRONG_HOST)

    def by_id(value: str) -> CanonicalPage:
        if not _FB_ID.match(value):
            raise refuse(MSG_WRONG_HOST)
        return _page(
            RuleSet.FACEBOOK,
            f"https://www.facebook.com/profile.php?id={value}",
            f"id:{value}",
            platform_id=value,
        )

    first = segments[0].lower()
    if first in ("groups", "group.php"):
        raise refuse(MSG_GROUP, "group")
    if first in ("share", "sharer", "sharer.php"):
        raise refuse(MSG_SHORT_LINK, "short_link")
    if first in ("profile.php", "permalink.php", "story.php"):
        # The "id" parameter names the page; a post's own id is in story_fbid.
        ids = parsed.query.get("id", [])
        if not ids:
            raise refuse(MSG_CONTENT, "content")
        return by_id(ids[0].strip())
    if first == "people" and len(segments) >= 3:
        return by_id(segments[2])
    if first == "pages":
        # /pages/Name/123 and /pages/category/Government-Organization/Name-123/.
        for segment in reversed(segments[1:]):
            if _FB_ID.match(segment):
                return by_id(segment)
            match = _FB_NAME_WITH_ID.match(segment)
            if match:
                return by_id(match.group(1))
        raise refuse(MSG_WRONG_HOST)
    if first in ("p", "pg") and len(segments) >= 2:
        # /p/Name-100064.../ (new pages without a username) and the old /pg/<page>/ tabs.
        first = segments[1].lower()
    if first in ("photo", "photo.php", "video.php", "watch", "reel", "reels", "stories"):
        raise refuse(MSG_CONTENT, "content")
    if first in _FB_RESERVED or first in ("people", "pages", "p", "pg"):
        raise refuse(MSG_WRONG_HOST)

    if _FB_ID.match(first):
        return by_id(first)
    match = _FB_NAME_WITH_ID.match(first)
    if match:
        return by_id(match.group(1))
    if not _FB_USERNAME.match(first) or first.strip(".") != first:
        raise refuse(MSG_WRONG_HOST)
    # Facebook ignores dots and case in usernames: congan.thanhhoa is conganthanhhoa.
    return _page(
        RuleSet.FACEBOOK,
        f"https://www.facebook.com/{first}",
        "handle:" + first.replace(".", ""),
        handle=first,
    )


# ---------------------------------------------------------------------------------------------
# YouTube.

_YT_DOMAINS = ("youtube.com", "youtu.be", "youtube-nocookie.com")
_YT_PAGE_HOSTS = frozenset(("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"))
_YT_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
# Handles: 3 to 30 letters (any script), digits, underscores, hyphens, dots and middle dots.
_YT_HANDLE = re.compile(r"^[\w.\-·]{3,30}$")
_YT_NAME = re.compile(r"^[\w.\-]{1,100}$")
_YT_CONTENT = frozenset(("watch", "shorts", "live", "embed", "playlist", "v", "e", "clip", "post"))
_YT_RESERVED = _words(
    """
    results feed account premium gaming kids music hashtag redirect signin logout about
    howyoutubeworks t source attribution_link yt creators ads new upload studio reporthistory
    channels trending subscriptions library history login oops error
    """
)


def _youtube(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise a YouTube channel address."""
    host, segments = parsed.host, parsed.segments
    if host in ("youtu.be", "www.youtu.be") or _in_domain(host, ("youtube-nocookie.com",)):
        raise refuse(MSG_CONTENT, "content")
    if host not in _YT_PAGE_HOSTS:
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if not segments:
        raise refuse(MSG_WRONG_HOST)
    first = segments[0]
    kind = first.lower()
    if first.startswith("@"):
        handle = first[1:].lower()
        if not _YT_HANDLE.match(handle):
            raise refuse(MSG_WRONG_HOST)
        return _page(
            RuleSet.YOUTUBE,
            f"https://www.youtube.com/@{_iri_path(handle)}",
            f"handle:{handle}",
            handle=handle,
        )
    if kind == "channel" and len(segments) >= 2:
        channel_id = segments[1]
        if not _YT_CHANNEL_ID.match(channel_id):
            raise refuse(MSG_WRONG_HOST)
        return _page(
            RuleSet.YOUTUBE,
            f"https://www.youtube.com/channel/{channel_id}",
            f"id:{channel_id}",
            platform_id=channel_id,
        )
    if kind in _YT_CONTENT:
        raise refuse(MSG_CONTENT, "content")
    if kind in ("c", "user") and len(segments) >= 2:
        name = segments[1].lower()
    elif kind not in _YT_RESERVED and kind not in ("c", "user", "channel"):
        # youtube.com/ThanhHoaTV is the legacy custom address, the same as /c/ThanhHoaTV.
        kind, name = "c", first.lower()
    else:
        raise refuse(MSG_WRONG_HOST)
    if not _YT_NAME.match(name):
        raise refuse(MSG_WRONG_HOST)
    return _page(
        RuleSet.YOUTUBE,
        f"https://www.youtube.com/{kind}/{_iri_path(name)}",
        f"{kind}:{name}",
        handle=name,
    )


# ---------------------------------------------------------------------------------------------
# Zalo.

_ZALO_DOMAINS = ("zalo.me",)
_ZALO_PAGE_HOSTS = frozenset(("zalo.me", "www.zalo.me"))
_ZALO_OA_HOST = "oa.zalo.me"
# The query parameters of oa.zalo.me/home that carry the OA id ("oaid" in older share links).
_ZALO_OA_ID_PARAMS = ("id", "oaid")
# Official Account ids are long numbers (about 18 or 19 digits); phone numbers are short.
_ZALO_OA_ID = re.compile(r"^[1-9][0-9]{11,19}$")
_ZALO_PHONE = re.compile(r"^(\+?84|0)?[0-9]{8,10}$")
_ZALO_SLUG = re.compile(r"^[a-z][a-z0-9._\-]{2,49}$")
_ZALO_RESERVED = _words(
    """
    s g qr pc app download home login logout help about privacy terms policy oa business
    zalopay news games share
    """
)


def _zalo(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise a Zalo Official Account address."""
    host, segments = parsed.host, parsed.segments
    if not _in_domain(host, _ZALO_DOMAINS):
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if host == _ZALO_OA_HOST and [s.lower() for s in segments] == ["home"]:
        # oa.zalo.me/home?id=<OA id> is the OA's public profile page, which Zalo links to from
        # its search and its share sheet: the same page as zalo.me/<OA id>.
        oa_ids = [
            value.strip()
            for key in _ZALO_OA_ID_PARAMS
            for value in parsed.query.get(key, [])
            if _ZALO_OA_ID.match(value.strip())
        ]
        if oa_ids:
            oa_id = oa_ids[0]
            return _page(RuleSet.ZALO, f"https://zalo.me/{oa_id}", f"id:{oa_id}", platform_id=oa_id)
    if host not in _ZALO_PAGE_HOSTS or not segments:
        # The rest of oa.zalo.me is the management site, chat.zalo.me the web client: no page
        # address.
        raise refuse(MSG_WRONG_HOST)
    first = segments[0].strip()
    kind = first.lower()
    if kind == "g":
        raise refuse(MSG_GROUP, "group")
    if _ZALO_OA_ID.match(first):
        return _page(RuleSet.ZALO, f"https://zalo.me/{first}", f"id:{first}", platform_id=first)
    if _ZALO_PHONE.match(first.replace(" ", "").replace(".", "")):
        raise refuse(MSG_PERSONAL, "personal")
    if kind in _ZALO_RESERVED or not _ZALO_SLUG.match(kind):
        raise refuse(MSG_WRONG_HOST)
    return _page(RuleSet.ZALO, f"https://zalo.me/{kind}", f"handle:{kind}", handle=kind)


# ---------------------------------------------------------------------------------------------
# TikTok, X, Instagram and Telegram: accounts named by a handle.

_TIKTOK_DOMAINS = ("tiktok.com",)
_TIKTOK_PAGE_HOSTS = frozenset(("tiktok.com", "www.tiktok.com", "m.tiktok.com"))
_TIKTOK_SHORT_HOSTS = frozenset(("vm.tiktok.com", "vt.tiktok.com"))
_TIKTOK_HANDLE = re.compile(r"^[a-z0-9._]{2,24}$")


def _tiktok(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise a TikTok account address."""
    host, segments = parsed.host, parsed.segments
    # vm.tiktok.com/ZS…, vt.tiktok.com/… and tiktok.com/t/… are shared short links.
    if host in _TIKTOK_SHORT_HOSTS or (
        host in _TIKTOK_PAGE_HOSTS and segments and segments[0].lower() == "t"
    ):
        raise refuse(MSG_SHORT_LINK, "short_link")
    if host not in _TIKTOK_PAGE_HOSTS:
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if not segments or not segments[0].startswith("@"):
        raise refuse(MSG_WRONG_HOST)
    handle = segments[0][1:].lower()
    if not _TIKTOK_HANDLE.match(handle):
        raise refuse(MSG_WRONG_HOST)
    return _page(
        RuleSet.TIKTOK, f"https://www.tiktok.com/@{handle}", f"handle:{handle}", handle=handle
    )


_X_DOMAINS = ("x.com", "twitter.com", "t.co")
_X_PAGE_HOSTS = frozenset(
    f"{prefix}{domain}"
    for prefix in ("", "www.", "m.", "mobile.")
    for domain in ("x.com", "twitter.com")
)
_X_HANDLE = re.compile(r"^[a-z0-9_]{1,15}$")
_X_RESERVED = _words(
    """
    home search i intent explore notifications messages settings login logout signup share
    hashtag compose tos privacy account jobs download who_to_follow lists bookmarks
    communities premium verified-choose oauth about help
    """
)


def _x(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise an X (Twitter) account address."""
    host, segments = parsed.host, parsed.segments
    if host == "t.co":
        raise refuse(MSG_SHORT_LINK, "short_link")
    if host not in _X_PAGE_HOSTS:
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if not segments:
        raise refuse(MSG_WRONG_HOST)
    handle = segments[0].lstrip("@").lower()
    if handle in _X_RESERVED or not _X_HANDLE.match(handle):
        raise refuse(MSG_WRONG_HOST)
    return _page(RuleSet.X, f"https://x.com/{handle}", f"handle:{handle}", handle=handle)


_INSTAGRAM_DOMAINS = ("instagram.com", "instagr.am")
_INSTAGRAM_PAGE_HOSTS = frozenset(
    ("instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am")
)
_INSTAGRAM_HANDLE = re.compile(r"^[a-z0-9._]{1,30}$")
_INSTAGRAM_CONTENT = frozenset(("p", "reel", "reels", "tv"))
_INSTAGRAM_RESERVED = _words(
    """
    explore accounts direct about legal developer web challenge emails session privacy
    login logout directory create graphql api oauth
    """
)


def _instagram(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise an Instagram account address."""
    host, segments = parsed.host, parsed.segments
    if host not in _INSTAGRAM_PAGE_HOSTS:
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if not segments:
        raise refuse(MSG_WRONG_HOST)
    first = segments[0].lower()
    if first in _INSTAGRAM_CONTENT:
        # instagram.com/p/<code> names a post, not its owner.
        raise refuse(MSG_CONTENT, "content")
    if first == "stories" and len(segments) >= 2:
        first = segments[1].lower()
    handle = first.lstrip("@")
    if handle in _INSTAGRAM_RESERVED or handle == "stories" or not _INSTAGRAM_HANDLE.match(handle):
        raise refuse(MSG_WRONG_HOST)
    return _page(
        RuleSet.INSTAGRAM, f"https://www.instagram.com/{handle}/", f"handle:{handle}", handle=handle
    )


_TELEGRAM_DOMAINS = ("t.me", "telegram.me", "telegram.dog")
_TELEGRAM_PAGE_HOSTS = frozenset(
    ("t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog", "www.telegram.dog")
)
_TELEGRAM_HANDLE = re.compile(r"^[a-z][a-z0-9_]{3,31}$")
_TELEGRAM_RESERVED = _words(
    """
    addstickers addemoji addtheme addlist share proxy socks iv login setlanguage bg c
    confirmphone invoice boost giftcode contact m
    """
)


def _telegram(parsed: _Parsed, refuse: _Refusal) -> CanonicalPage:
    """Canonicalise a Telegram channel address."""
    host, segments = parsed.host, parsed.segments
    if not _in_domain(host, _TELEGRAM_DOMAINS):
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if host in _TELEGRAM_PAGE_HOSTS:
        if not segments:
            raise refuse(MSG_WRONG_HOST)
        first = segments[0]
        # t.me/+code and t.me/joinchat/code invite to private chats; t.me/c/… is a private post.
        if first.startswith("+") or first.lower() in ("joinchat", "c"):
            raise refuse(MSG_INVITE, "invite")
        if first.lower() == "s" and len(segments) >= 2:
            # t.me/s/<channel> is the channel's public preview.
            first = segments[1]
        name = first.lstrip("@").lower()
    elif host.endswith(".t.me") and host.count(".") == 2:
        # <channel>.t.me is another public address of the channel.
        name = host.split(".")[0]
    else:
        raise refuse(MSG_WRONG_HOST, "wrong_host")
    if name in _TELEGRAM_RESERVED or not _TELEGRAM_HANDLE.match(name):
        raise refuse(MSG_WRONG_HOST)
    return _page(RuleSet.TELEGRAM, f"https://t.me/{name}", f"handle:{name}", handle=name)


# ---------------------------------------------------------------------------------------------
# Platforms added by an administrator.


def _normalise_host(host: str) -> str:
    """A configured host in IDNA form and lower case, or "" when it is not a host."""
    host = host.strip().lower().rstrip(".")
    if "//" in host:
        host = urlsplit(host).hostname or ""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def _generic(url: str, extra_hosts: Sequence[str]) -> CanonicalPage:
    """Canonicalise an address on a platform an administrator added."""
    # Hosts compare without www. and m.; the page keeps the host as the administrator wrote it.
    hosts: dict[str, str] = {}
    for configured in extra_hosts:
        host = _normalise_host(configured)
        if host:
            hosts.setdefault(_bare(host), host)
    if not hosts:
        raise _error(MSG_GENERIC_NO_HOSTS, "no_hosts")
    listed = ", ".join(hosts.values())
    parsed = _parse(url, f"https://{next(iter(hosts.values()))}/…")
    host = hosts.get(_bare(parsed.host), "")
    if not host:
        raise _error(MSG_GENERIC_HOST, "wrong_host", hosts=listed)
    if not parsed.segments:
        raise _error(MSG_GENERIC_ROOT, "not_a_page", hosts=listed)
    path = "/" + "/".join(parsed.segments)
    return _page(RuleSet.GENERIC, f"https://{host}{_iri_path(path)}", f"path:{path.lower()}")


# Each known platform: its domains and its rules.
RULES: dict[RuleSet, tuple[tuple[str, ...], Callable[[_Parsed, _Refusal], CanonicalPage]]] = {
    RuleSet.FACEBOOK: (_FB_DOMAINS, _facebook),
    RuleSet.YOUTUBE: (_YT_DOMAINS, _youtube),
    RuleSet.ZALO: (_ZALO_DOMAINS, _zalo),
    RuleSet.TIKTOK: (_TIKTOK_DOMAINS, _tiktok),
    RuleSet.X: (_X_DOMAINS, _x),
    RuleSet.INSTAGRAM: (_INSTAGRAM_DOMAINS, _instagram),
    RuleSet.TELEGRAM: (_TELEGRAM_DOMAINS, _telegram),
}
