"""Locust scenarios: citizens verifying links and searching the directory, officers at work.

Run by ``loadtest/run.py`` (``make load``) against a portal it starts itself. With the national
data set, the addresses, searches and officers come from the plan ``loadtest/national.py``
wrote (``LOAD_PLAN``); with the demo, from the demo's pages and users.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task


def _plan() -> dict[str, Any]:
    path = os.environ.get("LOAD_PLAN", "")
    if path and Path(path).exists():
        loaded: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return loaded
    # The demo: approved pages (a "real" verdict), an address the registry does not know,
    # and the demo's officers.
    return {
        "verify": [
            "https://www.facebook.com/ubndxacamngoc",
            "https://www.facebook.com/camthuy.thanhhoa",
            "https://www.facebook.com/trang-gia-mao-cam-ngoc",
        ],
        "search": ["cam ngoc", "cam thuy", "thanh hoa"],
        "officers": {"commune": "xa.camngoc", "province": "tinh.thanhhoa"},
        "password": "demo12345!",
    }


PLAN = _plan()
_random = random.Random(874)  # noqa: S311 - which address to ask next, not a secret


class Citizen(HttpUser):
    """Pastes a link into the public verification page, or looks a body up in the directory."""

    weight = 4
    wait_time = between(0.0, 0.2)

    @task(3)
    def verify(self) -> None:
        url = _random.choice(PLAN["verify"])
        self.client.get("/verify/", params={"url": url}, name="/verify/?url=…")

    @task(1)
    def verify_api(self) -> None:
        url = _random.choice(PLAN["verify"])
        self.client.get("/api/v1/public/verify", params={"url": url}, name="/api/v1/public/verify")

    @task(2)
    def directory(self) -> None:
        query = _random.choice(PLAN["search"])
        self.client.get("/directory/", params={"q": query}, name="/directory/?q=…")


class _Officer(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    role = ""

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        with self.client.post(
            "/accounts/login/",
            data={
                "username": PLAN["officers"][self.role],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token[1],
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login failed: {answer.status_code}")

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/reports/dashboard/", name=f"/reports/dashboard/ ({self.role})")

    @task(2)
    def pages(self) -> None:
        self.client.get("/registry/pages/", name=f"/registry/pages/ ({self.role})")

    @task(1)
    def reports(self) -> None:
        self.client.get("/reports/", name=f"/reports/ ({self.role})")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name=f"/ ({self.role})")


class CommuneOfficer(_Officer):
    """The officer of a commune: its dashboard, pages and reports."""

    weight = 1
    role = "commune"


class ProvinceOfficer(_Officer):
    """A provincial officer: the province's dashboard, pages and reports."""

    weight = 1
    role = "province"
