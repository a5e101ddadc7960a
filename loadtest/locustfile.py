"""Locust scenarios: citizens verifying links, officers opening their dashboard.

Run by ``loadtest/run.py`` (``make load``) against a portal it starts itself; the users and
addresses are the demo's.
"""

from __future__ import annotations

import re

from locust import HttpUser, between, task

DEMO_PASSWORD = "demo12345!"
# Approved demo pages (a "real" verdict) and an address the registry does not know.
VERIFY_URLS = (
    "https://www.facebook.com/ubndxacamngoc",
    "https://www.facebook.com/camthuy.thanhhoa",
    "https://www.facebook.com/trang-gia-mao-cam-ngoc",
)


class Citizen(HttpUser):
    """Pastes a link into the public verification page."""

    weight = 3
    wait_time = between(0.0, 0.2)

    @task
    def verify(self) -> None:
        for url in VERIFY_URLS:
            self.client.get("/verify/", params={"url": url}, name="/verify/?url=…")


class DistrictOfficer(HttpUser):
    """Logs in once, then opens the compliance dashboard of their district."""

    weight = 1
    wait_time = between(0.0, 0.2)
    username = "huyen.camthuy"

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        answer = self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token[1],
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (POST)",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            answer.failure(f"login failed: {answer.status_code}")

    @task
    def dashboard(self) -> None:
        self.client.get("/reports/dashboard/", name="/reports/dashboard/")
