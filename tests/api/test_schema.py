"""The OpenAPI schema and its Swagger UI."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command
from django.test import Client


def test_schema_generates_without_warnings_and_validates(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    # --fail-on-warn turns any drf-spectacular warning (an unannotated view, say) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert {
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/units/{id}/ancestors/",
        "/api/v1/units/{id}/children/",
        "/api/v1/bodies/",
        "/api/v1/bodies/{id}/",
        "/api/v1/me/",
        "/api/v1/auth/token/",
    } <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"cookieAuth", "tokenAuth"}


def test_schema_is_served(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/api/v1/bodies/" in response.json()["paths"]


def test_swagger_ui_is_served_from_local_assets(client: Client) -> None:
    response = client.get("/api/docs/")
    page = response.content.decode()

    assert response.status_code == 200
    # Government networks are often closed: the UI must not need a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn." not in page
    assert "unpkg" not in page
