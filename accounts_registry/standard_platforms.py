"""The platforms installed with the portal; an administrator can add more as data."""

from __future__ import annotations

from typing import Any

# (code, name, English name, rules, hosts, example address, order)
STANDARD_PLATFORMS = [
    (
        "facebook",
        "Facebook (trang)",
        "Facebook page",
        "facebook",
        ["facebook.com", "fb.com"],
        "https://www.facebook.com/ubndxacamngoc",
        10,
    ),
    (
        "zalo",
        "Zalo Official Account",
        "Zalo Official Account",
        "zalo",
        ["zalo.me", "oa.zalo.me"],
        "https://zalo.me/1234567890123456789",
        20,
    ),
    (
        "youtube",
        "Kênh YouTube",
        "YouTube channel",
        "youtube",
        ["youtube.com"],
        "https://www.youtube.com/@truyenhinhthanhhoa",
        30,
    ),
    (
        "tiktok",
        "TikTok",
        "TikTok",
        "tiktok",
        ["tiktok.com"],
        "https://www.tiktok.com/@tuoitrecamthuy",
        40,
    ),
    (
        "x",
        "X (Twitter)",
        "X (Twitter)",
        "x",
        ["x.com", "twitter.com"],
        "https://x.com/thanhhoaportal",
        50,
    ),
    (
        "instagram",
        "Instagram",
        "Instagram",
        "instagram",
        ["instagram.com"],
        "https://www.instagram.com/thanhhoatourism",
        60,
    ),
    (
        "telegram",
        "Telegram",
        "Telegram",
        "telegram",
        ["t.me", "telegram.me"],
        "https://t.me/thanhhoanews",
        70,
    ),
    ("other", "Khác", "Other", "generic", [], "", 900),
]


def install(platform_model: Any) -> None:
    """Create the standard platforms that are missing; never overwrite an administrator's edits."""
    for code, name, name_en, rules, hosts, example, order in STANDARD_PLATFORMS:
        platform_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "rules": rules,
                "hosts": hosts,
                "example_url": example,
                "order": order,
            },
        )
