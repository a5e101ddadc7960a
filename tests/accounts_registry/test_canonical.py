"""Canonical page addresses: the many shapes of one page give one URL and one identity key."""

from __future__ import annotations

import pytest
from django.core.validators import URLValidator
from django.utils import translation

from accounts_registry.canonical import (
    EXAMPLES,
    CanonicalPage,
    InvalidPageURL,
    RuleSet,
    canonicalise,
    detect_rules,
)

FB = RuleSet.FACEBOOK
YT = RuleSet.YOUTUBE
ZL = RuleSet.ZALO
TT = RuleSet.TIKTOK
X = RuleSet.X
IG = RuleSet.INSTAGRAM
TG = RuleSet.TELEGRAM
GEN = RuleSet.GENERIC

FB_CAMNGOC = "https://www.facebook.com/ubndxacamngoc"
FB_CONGAN = "https://www.facebook.com/congan.thanhhoa"
FB_ID = "100064123456789"
FB_BY_ID = f"https://www.facebook.com/profile.php?id={FB_ID}"
YT_CHANNEL = "UCx1aB2cD3eF4gH5iJ6kL7mN"
ZALO_OA = "4318526048553046428"

# (rules, pasted address, canonical url, key, platform_id)
ACCEPTED: list[tuple[RuleSet, str, str, str, str | None]] = [
    # Facebook: hosts, schemes, letter case, slashes and tracking parameters.
    (FB, "https://www.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "http://www.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "www.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "//facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://facebook.com/UBNDXaCamNgoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "HTTPS://WWW.FACEBOOK.COM/UBNDXACAMNGOC/", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://m.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://mobile.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://web.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://mbasic.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://touch.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://vi-vn.facebook.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://fb.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://www.fb.com/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://fb.me/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://www.facebook.com/ubndxacamngoc//", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc?mibextid=ZbWKwL",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc?fbclid=IwAR2xYz_abc-123&utm_source=zalo",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc/?ref=page_internal&__tn__=%2Cd",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (FB, "https://m.facebook.com/ubndxacamngoc?_rdr", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://www.facebook.com/ubndxacamngoc#top", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://www.facebook.com:443/ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "https://www.facebook.com./ubndxacamngoc", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    # Facebook: pasted with whitespace, brackets or quotes around it.
    (FB, "  https://www.facebook.com/ubndxacamngoc \n", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "<https://www.facebook.com/ubndxacamngoc>", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, '"https://www.facebook.com/ubndxacamngoc"', FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "“facebook.com/ubndxacamngoc”", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (FB, "\u200bfacebook.com/ubndxacamngoc\ufeff", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    # Facebook: a tab, a post, a photo or a video of the page identifies the page.
    (FB, "https://www.facebook.com/ubndxacamngoc/about", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc/about_contact_and_basic_info",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc/posts/pfbid02xYz9AbCdEfGhIjKlMn",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc/photos/a.1234567/7654321/?type=3",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/ubndxacamngoc/videos/987654321012345/",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    (FB, "https://www.facebook.com/ubndxacamngoc/reels/", FB_CAMNGOC, "handle:ubndxacamngoc", None),
    (
        FB,
        "https://www.facebook.com/pg/ubndxacamngoc/posts/",
        FB_CAMNGOC,
        "handle:ubndxacamngoc",
        None,
    ),
    # Facebook: dots do not count in usernames.
    (FB, "https://www.facebook.com/congan.thanhhoa", FB_CONGAN, "handle:conganthanhhoa", None),
    (FB, "https://www.facebook.com/CongAn.ThanhHoa/", FB_CONGAN, "handle:conganthanhhoa", None),
    (
        FB,
        "https://www.facebook.com/conganthanhhoa",
        "https://www.facebook.com/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/ThanhHoaTV",
        "https://www.facebook.com/thanhhoatv",
        "handle:thanhhoatv",
        None,
    ),
    (
        FB,
        "https://www.facebook.com/tuoitrecamthuy/",
        "https://www.facebook.com/tuoitrecamthuy",
        "handle:tuoitrecamthuy",
        None,
    ),
    # Facebook: pages known by their numeric id.
    (FB, f"https://www.facebook.com/profile.php?id={FB_ID}", FB_BY_ID, f"id:{FB_ID}", FB_ID),
    (FB, f"https://m.facebook.com/profile.php?id={FB_ID}&_rdr", FB_BY_ID, f"id:{FB_ID}", FB_ID),
    (
        FB,
        f"https://www.facebook.com/profile.php?id={FB_ID}&sk=about&mibextid=LQQJ4d",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (FB, f"facebook.com/profile.php?id={FB_ID}#", FB_BY_ID, f"id:{FB_ID}", FB_ID),
    (FB, f"https://www.facebook.com/{FB_ID}", FB_BY_ID, f"id:{FB_ID}", FB_ID),
    (FB, f"https://www.facebook.com/{FB_ID}/posts/123456", FB_BY_ID, f"id:{FB_ID}", FB_ID),
    (
        FB,
        f"https://www.facebook.com/pages/UBND-Xa-Cam-Ngoc/{FB_ID}",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://www.facebook.com/pages/category/Government-Organization/UBND-Xa-Cam-Ngoc-{FB_ID}/",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://www.facebook.com/people/UBND-X%C3%A3-C%E1%BA%A9m-Ng%E1%BB%8Dc/{FB_ID}/",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://www.facebook.com/people/UBND-Xã-Cẩm-Ngọc/{FB_ID}/?mibextid=ZbWKwL",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://www.facebook.com/p/UBND-X%C3%A3-C%E1%BA%A9m-Ng%E1%BB%8Dc-{FB_ID}/",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://www.facebook.com/UBND-X%C3%A3-C%E1%BA%A9m-Ng%E1%BB%8Dc-{FB_ID}/",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://m.facebook.com/story.php?story_fbid=pfbid0abc&id={FB_ID}&mibextid=Nif5oz",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    (
        FB,
        f"https://www.facebook.com/permalink.php?story_fbid=1234567890&id={FB_ID}",
        FB_BY_ID,
        f"id:{FB_ID}",
        FB_ID,
    ),
    # YouTube: handles.
    (
        YT,
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "youtube.com/@TruyenHinhThanhHoa",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "https://m.youtube.com/@truyenhinhthanhhoa/videos",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/@truyenhinhthanhhoa/featured?si=AbCdEf",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/@truyenhinhthanhhoa/shorts",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "http://youtube.com/@truyenhinhthanhhoa/",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/%40truyenhinhthanhhoa",
        "https://www.youtube.com/@truyenhinhthanhhoa",
        "handle:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/@TuoiTreCamThuy.",
        "https://www.youtube.com/@tuoitrecamthuy.",
        "handle:tuoitrecamthuy.",
        None,
    ),
    # YouTube: Vietnamese handles, percent-encoded or typed, in NFC or NFD.
    (
        YT,
        "https://www.youtube.com/@Truy%E1%BB%81nH%C3%ACnhThanhH%C3%B3a",
        "https://www.youtube.com/@truyềnhìnhthanhhóa",
        "handle:truyềnhìnhthanhhóa",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/@TruyềnHìnhThanhHóa",
        "https://www.youtube.com/@truyềnhìnhthanhhóa",
        "handle:truyềnhìnhthanhhóa",
        None,
    ),
    # YouTube: channel ids keep their case.
    (
        YT,
        f"https://www.youtube.com/channel/{YT_CHANNEL}",
        f"https://www.youtube.com/channel/{YT_CHANNEL}",
        f"id:{YT_CHANNEL}",
        YT_CHANNEL,
    ),
    (
        YT,
        f"https://m.youtube.com/channel/{YT_CHANNEL}/videos?view=0",
        f"https://www.youtube.com/channel/{YT_CHANNEL}",
        f"id:{YT_CHANNEL}",
        YT_CHANNEL,
    ),
    (
        YT,
        f"HTTPS://WWW.YOUTUBE.COM/channel/{YT_CHANNEL}/",
        f"https://www.youtube.com/channel/{YT_CHANNEL}",
        f"id:{YT_CHANNEL}",
        YT_CHANNEL,
    ),
    (
        YT,
        f"https://music.youtube.com/channel/{YT_CHANNEL}",
        f"https://www.youtube.com/channel/{YT_CHANNEL}",
        f"id:{YT_CHANNEL}",
        YT_CHANNEL,
    ),
    # YouTube: legacy custom and user addresses.
    (
        YT,
        "https://www.youtube.com/c/ThanhHoaTV",
        "https://www.youtube.com/c/thanhhoatv",
        "c:thanhhoatv",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/c/ThanhHoaTV/videos",
        "https://www.youtube.com/c/thanhhoatv",
        "c:thanhhoatv",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/ThanhHoaTV",
        "https://www.youtube.com/c/thanhhoatv",
        "c:thanhhoatv",
        None,
    ),
    (
        YT,
        "https://www.youtube.com/user/truyenhinhthanhhoa",
        "https://www.youtube.com/user/truyenhinhthanhhoa",
        "user:truyenhinhthanhhoa",
        None,
    ),
    (
        YT,
        "https://m.youtube.com/user/TruyenHinhThanhHoa/featured",
        "https://www.youtube.com/user/truyenhinhthanhhoa",
        "user:truyenhinhthanhhoa",
        None,
    ),
    # Zalo: official accounts by id, and by their custom name.
    (ZL, f"https://zalo.me/{ZALO_OA}", f"https://zalo.me/{ZALO_OA}", f"id:{ZALO_OA}", ZALO_OA),
    (ZL, f"zalo.me/{ZALO_OA}", f"https://zalo.me/{ZALO_OA}", f"id:{ZALO_OA}", ZALO_OA),
    (ZL, f"http://zalo.me/{ZALO_OA}/", f"https://zalo.me/{ZALO_OA}", f"id:{ZALO_OA}", ZALO_OA),
    (ZL, f"https://www.zalo.me/{ZALO_OA}", f"https://zalo.me/{ZALO_OA}", f"id:{ZALO_OA}", ZALO_OA),
    (
        ZL,
        f"https://zalo.me/{ZALO_OA}?src=qr&utm_source=website",
        f"https://zalo.me/{ZALO_OA}",
        f"id:{ZALO_OA}",
        ZALO_OA,
    ),
    (
        ZL,
        "https://zalo.me/1234567890123456789",
        "https://zalo.me/1234567890123456789",
        "id:1234567890123456789",
        "1234567890123456789",
    ),
    (
        ZL,
        "https://zalo.me/congdichvucongthanhhoa",
        "https://zalo.me/congdichvucongthanhhoa",
        "handle:congdichvucongthanhhoa",
        None,
    ),
    (
        ZL,
        "https://zalo.me/CongAnThanhHoa/",
        "https://zalo.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    # Zalo: the OA's profile page on oa.zalo.me, the link Zalo's search and share sheet give.
    (
        ZL,
        f"https://oa.zalo.me/home?id={ZALO_OA}",
        f"https://zalo.me/{ZALO_OA}",
        f"id:{ZALO_OA}",
        ZALO_OA,
    ),
    (
        ZL,
        f"oa.zalo.me/home?id={ZALO_OA}&utm_source=zalo",
        f"https://zalo.me/{ZALO_OA}",
        f"id:{ZALO_OA}",
        ZALO_OA,
    ),
    (
        ZL,
        f"https://oa.zalo.me/home/?oaid={ZALO_OA}",
        f"https://zalo.me/{ZALO_OA}",
        f"id:{ZALO_OA}",
        ZALO_OA,
    ),
    # TikTok.
    (
        TT,
        "https://www.tiktok.com/@tuoitrecamthuy",
        "https://www.tiktok.com/@tuoitrecamthuy",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        TT,
        "tiktok.com/@TuoiTreCamThuy",
        "https://www.tiktok.com/@tuoitrecamthuy",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        TT,
        "https://m.tiktok.com/@tuoitrecamthuy/",
        "https://www.tiktok.com/@tuoitrecamthuy",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        TT,
        "https://www.tiktok.com/@tuoitrecamthuy?lang=vi-VN&is_from_webapp=1&sender_device=pc",
        "https://www.tiktok.com/@tuoitrecamthuy",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        TT,
        "https://www.tiktok.com/@tuoitrecamthuy/video/7301234567890123456?_r=1&_t=8hHhH",
        "https://www.tiktok.com/@tuoitrecamthuy",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        TT,
        "https://www.tiktok.com/@congan.thanhhoa_official/photo/7301234567890123456",
        "https://www.tiktok.com/@congan.thanhhoa_official",
        "handle:congan.thanhhoa_official",
        None,
    ),
    (
        TT,
        "https://www.tiktok.com/%40thanhhoatv",
        "https://www.tiktok.com/@thanhhoatv",
        "handle:thanhhoatv",
        None,
    ),
    # X (Twitter).
    (X, "https://x.com/ThanhHoaTV", "https://x.com/thanhhoatv", "handle:thanhhoatv", None),
    (X, "https://twitter.com/ThanhHoaTV", "https://x.com/thanhhoatv", "handle:thanhhoatv", None),
    (X, "twitter.com/thanhhoatv/", "https://x.com/thanhhoatv", "handle:thanhhoatv", None),
    (
        X,
        "https://www.twitter.com/thanhhoatv",
        "https://x.com/thanhhoatv",
        "handle:thanhhoatv",
        None,
    ),
    (
        X,
        "https://mobile.twitter.com/ThanhHoaTV",
        "https://x.com/thanhhoatv",
        "handle:thanhhoatv",
        None,
    ),
    (X, "https://mobile.x.com/ThanhHoaTV", "https://x.com/thanhhoatv", "handle:thanhhoatv", None),
    (
        X,
        "https://x.com/ThanhHoaTV/status/1723456789012345678?s=20&t=AbC",
        "https://x.com/thanhhoatv",
        "handle:thanhhoatv",
        None,
    ),
    (
        X,
        "https://twitter.com/thanhhoatv/with_replies",
        "https://x.com/thanhhoatv",
        "handle:thanhhoatv",
        None,
    ),
    (X, "https://x.com/@ThanhHoaTV", "https://x.com/thanhhoatv", "handle:thanhhoatv", None),
    (
        X,
        "https://x.com/SoTTTT_ThanhHoa",
        "https://x.com/sotttt_thanhhoa",
        "handle:sotttt_thanhhoa",
        None,
    ),
    # Instagram.
    (
        IG,
        "https://www.instagram.com/tuoitrecamthuy/",
        "https://www.instagram.com/tuoitrecamthuy/",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        IG,
        "instagram.com/TuoiTreCamThuy",
        "https://www.instagram.com/tuoitrecamthuy/",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        IG,
        "https://instagram.com/tuoitrecamthuy?igshid=MzRlODBiNWFlZA==",
        "https://www.instagram.com/tuoitrecamthuy/",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        IG,
        "https://m.instagram.com/tuoitrecamthuy/reels/",
        "https://www.instagram.com/tuoitrecamthuy/",
        "handle:tuoitrecamthuy",
        None,
    ),
    (
        IG,
        "https://www.instagram.com/thanhhoa.tourism/tagged/",
        "https://www.instagram.com/thanhhoa.tourism/",
        "handle:thanhhoa.tourism",
        None,
    ),
    (
        IG,
        "https://www.instagram.com/stories/thanhhoa.tourism/3212345678901234567/",
        "https://www.instagram.com/thanhhoa.tourism/",
        "handle:thanhhoa.tourism",
        None,
    ),
    (
        IG,
        "https://instagr.am/thanhhoa_tourism",
        "https://www.instagram.com/thanhhoa_tourism/",
        "handle:thanhhoa_tourism",
        None,
    ),
    # Telegram.
    (
        TG,
        "https://t.me/conganthanhhoa",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (TG, "t.me/CongAnThanhHoa", "https://t.me/conganthanhhoa", "handle:conganthanhhoa", None),
    (
        TG,
        "https://t.me/s/conganthanhhoa",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        TG,
        "https://t.me/conganthanhhoa/1234?single",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        TG,
        "https://telegram.me/conganthanhhoa",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        TG,
        "https://telegram.dog/conganthanhhoa",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        TG,
        "https://conganthanhhoa.t.me",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        TG,
        "https://t.me/@conganthanhhoa",
        "https://t.me/conganthanhhoa",
        "handle:conganthanhhoa",
        None,
    ),
    (
        TG,
        "https://t.me/tuoitre_camthuy",
        "https://t.me/tuoitre_camthuy",
        "handle:tuoitre_camthuy",
        None,
    ),
]

LOTUS = ("lotus.vn",)
# (pasted address, hosts of the platform, canonical url, key)
ACCEPTED_GENERIC: list[tuple[str, tuple[str, ...], str, str]] = [
    ("https://lotus.vn/ThanhHoaTV", LOTUS, "https://lotus.vn/ThanhHoaTV", "path:/thanhhoatv"),
    ("lotus.vn/ThanhHoaTV/", LOTUS, "https://lotus.vn/ThanhHoaTV", "path:/thanhhoatv"),
    ("http://www.lotus.vn/ThanhHoaTV", LOTUS, "https://lotus.vn/ThanhHoaTV", "path:/thanhhoatv"),
    (
        "https://m.lotus.vn/ThanhHoaTV?ref=share",
        LOTUS,
        "https://lotus.vn/ThanhHoaTV",
        "path:/thanhhoatv",
    ),
    ("https://LOTUS.VN/ThanhHoaTV#about", LOTUS, "https://lotus.vn/ThanhHoaTV", "path:/thanhhoatv"),
    (
        "https://gapo.vn/congan.thanhhoa/",
        ("lotus.vn", "gapo.vn"),
        "https://gapo.vn/congan.thanhhoa",
        "path:/congan.thanhhoa",
    ),
    (
        "https://www.mocha.com.vn/channel/TuoiTreCamThuy",
        ("https://www.mocha.com.vn/",),
        "https://www.mocha.com.vn/channel/TuoiTreCamThuy",
        "path:/channel/tuoitrecamthuy",
    ),
    (
        "https://lotus.vn/X%C3%A3%20C%E1%BA%A9m%20Ng%E1%BB%8Dc",
        LOTUS,
        "https://lotus.vn/Xã%20Cẩm%20Ngọc",
        "path:/xã cẩm ngọc",
    ),
    (
        "https://xn--mng-x-hi-vza9427e2ra.vn/ubnd",
        ("mạng-xã-hội.vn",),
        "https://xn--mng-x-hi-vza9427e2ra.vn/ubnd",
        "path:/ubnd",
    ),
]

# (rules, address, reason code): each must be refused with a message naming what was expected.
REFUSED: list[tuple[RuleSet, str, str]] = [
    # Anything: empty, not a web address, dangerous schemes.
    (FB, "", "empty"),
    (FB, "   \n\t ", "empty"),
    (FB, '""', "empty"),
    (FB, "<>", "empty"),
    (FB, "javascript:alert(document.cookie)", "scheme"),
    (FB, "JavaScript:alert(1)//facebook.com/ubndxacamngoc", "scheme"),
    (FB, "data:text/html,<script>alert(1)</script>", "scheme"),
    (FB, "ftp://facebook.com/ubndxacamngoc", "scheme"),
    (FB, "mailto:ubnd@camngoc.gov.vn", "scheme"),
    (FB, "file:///etc/passwd", "scheme"),
    (YT, "UBND xã Cẩm Ngọc", "not_url"),
    (FB, "ubndxacamngoc", "not_url"),
    (FB, "https://", "not_url"),
    (FB, "https://[facebook.com/ubndxacamngoc", "not_url"),
    (FB, "https://www.facebook.com@evil.example/ubndxacamngoc", "not_url"),
    (FB, "https://www.facebook.com:8080/ubndxacamngoc", "not_url"),
    (FB, "https://www.facebook.com/" + "a" * 2000, "too_long"),
    # Facebook: other sites and other Facebook hosts.
    (FB, "https://www.youtube.com/@truyenhinhthanhhoa", "wrong_host"),
    (FB, "https://facebook.com.evil.example/ubndxacamngoc", "wrong_host"),
    (FB, "https://notfacebook.com/ubndxacamngoc", "wrong_host"),
    (FB, "https://business.facebook.com/ubndxacamngoc", "wrong_host"),
    (FB, "https://l.facebook.com/l.php?u=https%3A%2F%2Fthanhhoa.gov.vn", "wrong_host"),
    # Facebook: groups, short links and pages of Facebook itself.
    (FB, "https://www.facebook.com/groups/conganthanhhoa", "group"),
    (FB, "https://www.facebook.com/groups/123456789012345/posts/987654321", "group"),
    (FB, "https://m.facebook.com/groups/conganthanhhoa/?ref=share", "group"),
    (FB, "https://www.facebook.com/share/1AbCdEfGh/", "short_link"),
    (FB, "https://www.facebook.com/share/p/1AbCdEfGh/?mibextid=oFDknk", "short_link"),
    (FB, "https://www.facebook.com/sharer/sharer.php?u=https://thanhhoa.gov.vn", "short_link"),
    (FB, "https://fb.watch/oAbCdEfGh/", "short_link"),
    (FB, "https://fb.me/e/1AbCdEfGh", "short_link"),
    (FB, "https://www.facebook.com/watch/?v=987654321012345", "content"),
    (FB, "https://www.facebook.com/reel/987654321012345", "content"),
    (FB, "https://www.facebook.com/photo.php?fbid=987654321012345", "content"),
    (FB, "https://www.facebook.com/photo/?fbid=987654321012345&set=a.123", "content"),
    (FB, "https://www.facebook.com/stories/100064123456789/", "content"),
    (FB, "https://www.facebook.com/story.php?story_fbid=987654321012345", "content"),
    (FB, "https://www.facebook.com/profile.php", "content"),
    (FB, "https://www.facebook.com/profile.php?id=ubndxacamngoc", "not_a_page"),
    (FB, "https://www.facebook.com/", "not_a_page"),
    (FB, "https://www.facebook.com/login/", "not_a_page"),
    (FB, "https://www.facebook.com/login.php?next=%2Fubndxacamngoc", "not_a_page"),
    (FB, "https://www.facebook.com/help/123456", "not_a_page"),
    (FB, "https://www.facebook.com/events/123456789012345/", "not_a_page"),
    (FB, "https://www.facebook.com/marketplace/item/123456", "not_a_page"),
    (FB, "https://www.facebook.com/home.php", "not_a_page"),
    (FB, "https://www.facebook.com/hashtag/thanhhoa", "not_a_page"),
    (FB, "https://www.facebook.com/pg/login", "not_a_page"),
    (FB, "https://www.facebook.com/pages/UBND-Xa-Cam-Ngoc", "not_a_page"),
    (FB, "https://www.facebook.com/ubnd", "not_a_page"),
    (FB, "https://www.facebook.com/ubnd_xa_cam_ngoc", "not_a_page"),
    (FB, "https://www.facebook.com/.ubndxacamngoc", "not_a_page"),
    # YouTube: videos are not channels.
    (YT, "https://youtu.be/dQw4w9WgXcQ", "content"),
    (YT, "https://youtu.be/dQw4w9WgXcQ?si=AbCdEf&t=42", "content"),
    (YT, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "content"),
    (YT, "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", "content"),
    (YT, "https://www.youtube.com/shorts/AbCdEfGhIjK", "content"),
    (YT, "https://www.youtube.com/live/AbCdEfGhIjK", "content"),
    (YT, "https://www.youtube.com/playlist?list=PLAbCdEfGhIjK", "content"),
    (YT, "https://www.youtube.com/embed/dQw4w9WgXcQ", "content"),
    (YT, "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "content"),
    (YT, "https://www.youtube.com/", "not_a_page"),
    (YT, "https://www.youtube.com/results?search_query=thanh+hoa", "not_a_page"),
    (YT, "https://www.youtube.com/feed/subscriptions", "not_a_page"),
    (YT, "https://www.youtube.com/channel/", "not_a_page"),
    (YT, "https://www.youtube.com/channel/ucx1ab2cd3ef4gh5ij6kl7mn", "not_a_page"),
    (YT, "https://www.youtube.com/channel/UCx1aB2cD3", "not_a_page"),
    (YT, "https://www.youtube.com/@ab", "not_a_page"),
    (YT, "https://www.youtube.com/c/", "not_a_page"),
    (YT, "https://studio.youtube.com/channel/UCx1aB2cD3eF4gH5iJ6kL7mN", "wrong_host"),
    (YT, "https://www.facebook.com/ubndxacamngoc", "wrong_host"),
    (YT, "https://vimeo.com/thanhhoatv", "wrong_host"),
    # Zalo: personal accounts, groups and the management site.
    (ZL, "https://zalo.me/0912345678", "personal"),
    (ZL, "zalo.me/0373123456", "personal"),
    (ZL, "https://zalo.me/84912345678", "personal"),
    (ZL, "https://zalo.me/+84912345678", "personal"),
    (ZL, "https://zalo.me/g/abcdef123", "group"),
    (ZL, "https://zalo.me/", "not_a_page"),
    (ZL, "https://zalo.me/s/1234567890123456789/", "not_a_page"),
    (ZL, "https://zalo.me/qr/p/abcdef", "not_a_page"),
    (ZL, "https://zalo.me/pc", "not_a_page"),
    (ZL, "https://oa.zalo.me/manage/oa", "not_a_page"),
    (ZL, "https://oa.zalo.me/home", "not_a_page"),
    (ZL, "https://oa.zalo.me/home?id=0912345678", "not_a_page"),
    (ZL, "https://oa.zalo.me/manage/oa?id=4318526048553046428", "not_a_page"),
    (ZL, "https://chat.zalo.me/", "not_a_page"),
    (ZL, "https://zalo.vn/1234567890123456789", "wrong_host"),
    (ZL, "https://www.facebook.com/ubndxacamngoc", "wrong_host"),
    # TikTok: short links and pages without an account.
    (TT, "https://vm.tiktok.com/ZSNAbCdEf/", "short_link"),
    (TT, "https://vt.tiktok.com/ZSNAbCdEf/", "short_link"),
    (TT, "https://www.tiktok.com/t/ZT8AbCdEf/", "short_link"),
    (TT, "https://www.tiktok.com/", "not_a_page"),
    (TT, "https://www.tiktok.com/tuoitrecamthuy", "not_a_page"),
    (TT, "https://www.tiktok.com/tag/thanhhoa", "not_a_page"),
    (TT, "https://www.tiktok.com/discover/thanh-hoa", "not_a_page"),
    (TT, "https://www.tiktok.com/@", "not_a_page"),
    (TT, "https://ads.tiktok.com/@tuoitrecamthuy", "wrong_host"),
    (TT, "https://douyin.com/@tuoitrecamthuy", "wrong_host"),
    # X: pages of X itself.
    (X, "https://x.com/home", "not_a_page"),
    (X, "https://twitter.com/search?q=thanh%20hoa", "not_a_page"),
    (X, "https://x.com/i/web/status/1723456789012345678", "not_a_page"),
    (X, "https://twitter.com/intent/tweet?text=hello", "not_a_page"),
    (X, "https://x.com/explore", "not_a_page"),
    (X, "https://x.com/hashtag/ThanhHoa", "not_a_page"),
    (X, "https://x.com/", "not_a_page"),
    (X, "https://x.com/this_handle_is_far_too_long", "not_a_page"),
    (X, "https://t.co/AbCdEfGh", "short_link"),
    (X, "https://xcom.example/thanhhoatv", "wrong_host"),
    # Instagram: posts and reels do not name their owner.
    (IG, "https://www.instagram.com/p/CzAbCdEfGhI/", "content"),
    (IG, "https://www.instagram.com/reel/CzAbCdEfGhI/?igsh=abc", "content"),
    (IG, "https://www.instagram.com/tv/CzAbCdEfGhI/", "content"),
    (IG, "https://www.instagram.com/explore/tags/thanhhoa/", "not_a_page"),
    (IG, "https://www.instagram.com/accounts/login/", "not_a_page"),
    (IG, "https://www.instagram.com/", "not_a_page"),
    (IG, "https://www.facebook.com/tuoitrecamthuy", "wrong_host"),
    # Telegram: private invitations.
    (TG, "https://t.me/+AbCdEfGhIjKlMnOp", "invite"),
    (TG, "https://t.me/joinchat/AbCdEfGhIjKlMnOp", "invite"),
    (TG, "https://t.me/c/1234567890/42", "invite"),
    (TG, "https://t.me/", "not_a_page"),
    (TG, "https://t.me/addstickers/ThanhHoa", "not_a_page"),
    (TG, "https://t.me/share/url?url=https://thanhhoa.gov.vn", "not_a_page"),
    (TG, "https://t.me/abc", "not_a_page"),
    (TG, "https://web.telegram.org/k/#@conganthanhhoa", "wrong_host"),
]

EXPECTED_MENTION = {
    FB: "facebook.com/ubndxacamngoc",
    YT: "youtube.com/@truyenhinhthanhhoa",
    ZL: "zalo.me/",
    TT: "tiktok.com/@",
    X: "x.com/",
    IG: "instagram.com/",
    TG: "t.me/",
}


@pytest.mark.parametrize(("rules", "pasted", "url", "key", "platform_id"), ACCEPTED)
def test_page_address_is_reduced_to_its_canonical_form(
    rules: RuleSet, pasted: str, url: str, key: str, platform_id: str | None
) -> None:
    # When
    page = canonicalise(pasted, rules)

    # Then
    assert (page.url, page.key, page.platform_id) == (url, key, platform_id)
    assert page.rules is rules
    URLValidator()(page.url)


@pytest.mark.parametrize(("rules", "pasted", "url", "key", "platform_id"), ACCEPTED)
def test_canonical_address_is_a_fixed_point(
    rules: RuleSet, pasted: str, url: str, key: str, platform_id: str | None
) -> None:
    # Given the canonical form of an address
    page = canonicalise(pasted, rules)

    # When it is canonicalised again, Then nothing changes
    assert canonicalise(page.url, rules) == page


@pytest.mark.parametrize(("pasted", "hosts", "url", "key"), ACCEPTED_GENERIC)
def test_address_on_an_added_platform_is_reduced_to_host_and_path(
    pasted: str, hosts: tuple[str, ...], url: str, key: str
) -> None:
    # When
    page = canonicalise(pasted, "generic", extra_hosts=hosts)

    # Then
    assert page == CanonicalPage(rules=GEN, url=url, key=key, platform_id=None, handle=None)
    URLValidator()(page.url)


@pytest.mark.parametrize(("rules", "pasted", "code"), REFUSED)
def test_address_that_is_not_a_page_is_refused_with_what_was_expected(
    rules: RuleSet, pasted: str, code: str
) -> None:
    # When
    with pytest.raises(InvalidPageURL) as refused:
        canonicalise(pasted, rules)

    # Then the reason is the expected one, and the message (in any language) shows an example
    assert refused.value.code == code
    message = str(refused.value.message)
    assert str(refused.value) == message
    if code not in ("empty", "too_long"):
        assert EXPECTED_MENTION[rules] in message
        assert str(EXAMPLES[rules]) in message


@pytest.mark.parametrize(
    ("pasted", "hosts", "code", "mention"),
    [
        ("https://lotus.vn/", ("lotus.vn",), "not_a_page", "lotus.vn"),
        ("https://lotus.vn", ("lotus.vn",), "not_a_page", "lotus.vn"),
        ("https://evil-lotus.vn/ThanhHoaTV", ("lotus.vn",), "wrong_host", "lotus.vn"),
        ("https://lotus.vn.evil.example/ThanhHoaTV", ("lotus.vn",), "wrong_host", "lotus.vn"),
        ("https://sub.lotus.vn/ThanhHoaTV", ("lotus.vn", "gapo.vn"), "wrong_host", "gapo.vn"),
        ("javascript:alert(1)", ("lotus.vn",), "scheme", "lotus.vn"),
        ("https://lotus.vn/ThanhHoaTV", (), "no_hosts", ""),
        ("https://lotus.vn/ThanhHoaTV", ("", "  "), "no_hosts", ""),
        ("https://lotus.vn/" + "a" * 600, ("lotus.vn",), "too_long", ""),
    ],
)
def test_address_on_an_added_platform_must_be_a_page_on_its_hosts(
    pasted: str, hosts: tuple[str, ...], code: str, mention: str
) -> None:
    # When
    with pytest.raises(InvalidPageURL) as refused:
        canonicalise(pasted, GEN, extra_hosts=hosts)

    # Then
    assert refused.value.code == code
    assert mention in str(refused.value.message)


@pytest.mark.parametrize(
    "shapes",
    [
        [
            "https://www.facebook.com/ubndxacamngoc",
            "m.facebook.com/UBNDXaCamNgoc/?mibextid=ZbWKwL",
            "<http://fb.com/ubndxacamngoc/about>",
            "https://www.facebook.com/ubndxacamngoc/posts/pfbid02xYz9AbCdEfGhIjKlMn",
            "https://fb.me/ubndxacamngoc",
        ],
        [
            "https://www.facebook.com/congan.thanhhoa",
            "https://www.facebook.com/conganthanhhoa",
            "https://www.facebook.com/CongAn.ThanhHoa/videos/123",
        ],
        [
            "https://www.facebook.com/profile.php?id=100064123456789",
            "https://www.facebook.com/100064123456789",
            "https://www.facebook.com/people/UBND-Xã-Cẩm-Ngọc/100064123456789/",
            "https://www.facebook.com/p/UBND-X%C3%A3-C%E1%BA%A9m-Ng%E1%BB%8Dc-100064123456789/",
            "https://www.facebook.com/pages/UBND-Xa-Cam-Ngoc/100064123456789",
            "https://m.facebook.com/story.php?story_fbid=pfbid0abc&id=100064123456789",
        ],
        [
            "https://www.youtube.com/@truyenhinhthanhhoa",
            "https://m.youtube.com/@TruyenHinhThanhHoa/videos",
            "youtube.com/%40truyenhinhthanhhoa/",
        ],
        [
            "https://www.youtube.com/c/ThanhHoaTV",
            "https://www.youtube.com/ThanhHoaTV",
            "https://m.youtube.com/c/thanhhoatv/about",
        ],
        [
            "https://zalo.me/4318526048553046428",
            "http://www.zalo.me/4318526048553046428/?src=qr",
            "https://oa.zalo.me/home?id=4318526048553046428",
        ],
        [
            "https://www.tiktok.com/@tuoitrecamthuy",
            "https://m.tiktok.com/@TuoiTreCamThuy/video/7301234567890123456",
        ],
        [
            "https://twitter.com/ThanhHoaTV",
            "https://x.com/thanhhoatv/status/1723456789012345678",
            "https://mobile.twitter.com/thanhhoatv",
        ],
        [
            "https://www.instagram.com/tuoitrecamthuy/",
            "instagram.com/TuoiTreCamThuy/reels",
        ],
        [
            "https://t.me/conganthanhhoa",
            "https://t.me/s/CongAnThanhHoa",
            "https://telegram.me/conganthanhhoa/1234",
        ],
    ],
)
def test_shapes_of_one_page_share_one_key(shapes: list[str]) -> None:
    # Given several addresses people paste for one page
    rules = detect_rules(shapes[0])
    assert rules is not None

    # When each is canonicalised
    keys = {canonicalise(shape, rules).key for shape in shapes}

    # Then they all name the same page
    assert len(keys) == 1


def test_handle_id_and_legacy_name_of_one_channel_are_different_keys() -> None:
    # Given the three shapes YouTube has had for channel addresses
    shapes = [
        "https://www.youtube.com/@thanhhoatv",
        "https://www.youtube.com/c/ThanhHoaTV",
        "https://www.youtube.com/user/ThanhHoaTV",
    ]

    # When they are canonicalised
    keys = [canonicalise(shape, YT).key for shape in shapes]

    # Then they cannot be told equal offline, and are kept apart by their kind
    assert keys == ["handle:thanhhoatv", "c:thanhhoatv", "user:thanhhoatv"]


def test_handle_is_lower_case_and_keeps_its_dots() -> None:
    page = canonicalise("https://www.facebook.com/CongAn.ThanhHoa", FB)

    assert page.handle == "congan.thanhhoa"
    assert page.platform_id is None


def test_page_known_by_id_has_no_handle() -> None:
    page = canonicalise("https://www.facebook.com/profile.php?id=100064123456789", "facebook")

    assert page.handle is None
    assert page.platform_id == "100064123456789"


def test_nfd_and_nfc_spellings_of_a_vietnamese_handle_are_one_page() -> None:
    # Given a handle typed on a keyboard that sends decomposed letters (NFD)
    nfc = "https://www.youtube.com/@TruyềnHìnhThanhHóa"
    nfd = "https://www.youtube.com/@Truye\u0302\u0300nHi\u0300nhThanhHo\u0301a"

    # When both are canonicalised, Then they are the same page, stored in NFC
    assert canonicalise(nfc, YT) == canonicalise(nfd, YT)
    assert canonicalise(nfd, YT).handle == "truyềnhìnhthanhhóa"


def test_rules_given_by_name_are_the_same_as_the_enum() -> None:
    assert canonicalise(FB_CAMNGOC, "facebook") == canonicalise(FB_CAMNGOC, RuleSet.FACEBOOK)


def test_unknown_rules_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="myspace"):
        canonicalise(FB_CAMNGOC, "myspace")


def test_extra_hosts_do_not_widen_the_rules_of_a_known_platform() -> None:
    with pytest.raises(InvalidPageURL) as refused:
        canonicalise("https://lotus.vn/ubndxacamngoc", FB, extra_hosts=["lotus.vn"])

    assert refused.value.code == "wrong_host"


def test_address_of_exactly_two_thousand_characters_is_still_read() -> None:
    # Given an address padded to the limit with a tracking parameter
    base = "https://www.facebook.com/ubndxacamngoc?fbclid="
    pasted = base + "x" * (2000 - len(base))

    # When, Then
    assert canonicalise(pasted, FB).key == "handle:ubndxacamngoc"


def test_refusal_message_is_translated_when_displayed() -> None:
    # Given a refusal raised while the interface is in English
    with translation.override("en"), pytest.raises(InvalidPageURL) as refused:
        canonicalise("https://www.facebook.com/groups/conganthanhhoa", FB)

    # When it is displayed in English, Then it says a page was expected, with an example
    with translation.override("en"):
        assert "not a page" in str(refused.value.message)
        assert "facebook.com/ubndxacamngoc" in str(refused.value.message)


def test_refusal_can_be_used_as_a_value_error() -> None:
    with translation.override("en"), pytest.raises(ValueError, match="Zalo"):
        canonicalise("https://zalo.me/0912345678", ZL)


@pytest.mark.parametrize(
    ("pasted", "rules"),
    [
        ("https://www.facebook.com/ubndxacamngoc", FB),
        ("m.facebook.com/profile.php?id=100064123456789", FB),
        ("https://fb.com/ubndxacamngoc", FB),
        ("https://fb.me/ubndxacamngoc", FB),
        ("https://fb.watch/oAbCdEfGh/", FB),
        ("https://vi-vn.facebook.com/ubndxacamngoc", FB),
        ("<https://WWW.FACEBOOK.COM/ubndxacamngoc>", FB),
        ("https://www.youtube.com/@truyenhinhthanhhoa", YT),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", YT),
        ("https://youtu.be/dQw4w9WgXcQ", YT),
        ("https://zalo.me/4318526048553046428", ZL),
        ("https://oa.zalo.me/home", ZL),
        ("https://www.tiktok.com/@tuoitrecamthuy", TT),
        ("https://vm.tiktok.com/ZSNAbCdEf/", TT),
        ("https://x.com/thanhhoatv", X),
        ("https://twitter.com/thanhhoatv", X),
        ("https://mobile.twitter.com/thanhhoatv", X),
        ("https://t.co/AbCdEfGh", X),
        ("https://www.instagram.com/tuoitrecamthuy/", IG),
        ("https://instagr.am/tuoitrecamthuy", IG),
        ("https://t.me/conganthanhhoa", TG),
        ("https://telegram.me/conganthanhhoa", TG),
        ("https://conganthanhhoa.t.me", TG),
    ],
)
def test_platform_is_detected_from_the_host(pasted: str, rules: RuleSet) -> None:
    assert detect_rules(pasted) is rules


@pytest.mark.parametrize(
    "pasted",
    [
        "https://lotus.vn/ThanhHoaTV",
        "https://thanhhoa.gov.vn/",
        "https://notfacebook.com/ubndxacamngoc",
        "https://facebook.com.evil.example/ubndxacamngoc",
        "https://www.facebook.com@evil.example/ubndxacamngoc",
        "https://myt.me/conganthanhhoa",
        "javascript:alert(1)",
        "UBND xã Cẩm Ngọc",
        "",
    ],
)
def test_unknown_or_unreadable_address_has_no_platform(pasted: str) -> None:
    assert detect_rules(pasted) is None


def test_rule_set_values_are_the_platform_rules_names() -> None:
    assert [rules.value for rules in RuleSet] == [
        "facebook",
        "zalo",
        "youtube",
        "tiktok",
        "x",
        "instagram",
        "telegram",
        "generic",
    ]
    assert RuleSet("zalo") == "zalo"
