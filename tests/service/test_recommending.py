"""The runtime recommender through HTTP: created in the lifespan, serving /graphql."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from service.domain.recommending import Recommender
from service.server.app import create_app
from service.settings import Settings
from tests.model_support import trained_version


def test_http_recommendations_name_the_active_version(settings: Settings, engine: Engine):
    version = trained_version(engine, settings)
    with TestClient(create_app(settings)) as client:
        assert isinstance(client.app.state.recommender, Recommender)  # type: ignore[attr-defined]
        body = client.post(
            "/graphql",
            json={
                "query": (
                    '{ recommendPartners(districtCode: "53.02", first: 3) '
                    "{ rank modelVersion partner { name } reasons { sentence } } "
                    "activeModel { version fallback } }"
                )
            },
        ).json()
    assert "errors" not in body, body
    recs = body["data"]["recommendPartners"]
    assert [r["rank"] for r in recs] == [1, 2, 3]
    assert {r["modelVersion"] for r in recs} == {version}
    assert body["data"]["activeModel"] == {"version": version, "fallback": False}
