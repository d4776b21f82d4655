"""The load test's clients: the request mix, the driver that sends it, what was acknowledged.

Reads and writes go through the public ``/graphql`` with a planner token; every write
the server acknowledged is remembered (:class:`Acknowledged`) for the consistency check.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from service.tools.load_server import SEED

READS = {
    "districts": (
        "query($f: DistrictFilter, $a: String) { districts(filter: $f, first: 20, after: $a, "
        "orderBy: {field: PREVALENCE, direction: DESC}) { totalCount "
        "nodes { code name latestStuntingPrevalence { value year } } } }"
    ),
    "district": (
        "query($c: String!) { district(code: $c) { name province { name } "
        "latestStuntingPrevalence { value year survey } } }"
    ),
    "partners": (
        "query($f: PartnerFilter) { partners(filter: $f, first: 20) { totalCount "
        "nodes { id name kind interventionAreas } } }"
    ),
    "quotaProgress": (
        "query($c: String!) { province(code: $c) { name quotaProgress "
        "{ category target committed remaining met } } }"
    ),
    "recommendPartners": (
        "query($c: String!) { recommendPartners(districtCode: $c, first: 5) "
        "{ rank score modelVersion partner { id name } } }"
    ),
}
WRITES = {
    "proposePartnership": (
        "mutation($i: ProposePartnershipInput!) { proposePartnership(input: $i) "
        "{ partnership { databaseId status } userErrors { field code } } }"
    ),
    "updatePartnershipStatus": (
        "mutation($i: UpdatePartnershipStatusInput!) { updatePartnershipStatus(input: $i) "
        "{ partnership { databaseId status } userErrors { field code } } }"
    ),
    "recordRecommendationFeedback": (
        "mutation($i: RecordRecommendationFeedbackInput!) { recordRecommendationFeedback("
        "input: $i) { feedback { databaseId } userErrors { field code } } }"
    ),
    "createPartner": (
        "mutation($i: CreatePartnerInput!) { createPartner(input: $i) "
        "{ partner { databaseId } userErrors { field code } } }"
    ),
}
# Relative frequencies: mostly reads, as a planning console would do.
WEIGHTS = {
    "districts": 14,
    "district": 20,
    "partners": 12,
    "quotaProgress": 10,
    "recommendPartners": 8,
    "proposePartnership": 14,
    "updatePartnershipStatus": 10,
    "recordRecommendationFeedback": 8,
    "createPartner": 4,
}


@dataclass
class KindStats:
    count: int = 0
    errors: int = 0
    rejected: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)


@dataclass
class Acknowledged:
    """Writes the server confirmed, to be found in the database afterwards."""

    partners: set[int] = field(default_factory=set)
    partnerships: dict[int, str] = field(default_factory=dict)  # id -> last confirmed status
    feedback: set[int] = field(default_factory=set)
    # Status changes that failed without an answer (connection lost, worker killed): the
    # database may hold either the confirmed status or this one.
    unconfirmed: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.partners) + len(self.partnerships) + len(self.feedback)


class Driver:
    def __init__(self, client: httpx.AsyncClient, token: str, catalogue: dict[str, list[str]]):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.catalogue = catalogue
        self.rng = random.Random(SEED)
        self.stats: dict[str, KindStats] = defaultdict(KindStats)
        self.acked = Acknowledged()
        self.proposed: list[int] = []  # confirmed PROPOSED, free to move on
        self.active: list[int] = []
        self.samples: list[str] = []
        self.error_messages: list[str] = []  # every error the clients saw, for fault tests
        self.answered_by: dict[str, int] = defaultdict(int)  # worker pid -> responses

    async def call(self, kind: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        stats = self.stats[kind]
        start = time.perf_counter()
        try:
            response = await self.client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=self.headers
            )
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as exc:
            body, response = None, None
            self._error(kind, f"{type(exc).__name__}: {exc}")
        if response is not None:
            self.answered_by[response.headers.get("x-mitra-worker", "?")] += 1
        stats.latencies.append((time.perf_counter() - start) * 1000)
        stats.count += 1
        if response is not None and body is None:
            self._error(kind, f"HTTP {response.status_code}: {_codes_or_text(response)}")
            return None
        if body is not None and body.get("errors"):
            self._error(kind, json.dumps(body["errors"])[:300])
            return None
        return body["data"] if body is not None else None

    def _error(self, kind: str, message: str) -> None:
        self.stats[kind].errors += 1
        self.error_messages.append(f"{kind}: {message}")
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {message}")

    def _payload(self, kind: str, data: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
        if data is None:
            return None
        payload = data[kind]
        if payload["userErrors"]:
            self.stats[kind].rejected += 1
            return None
        return payload[key]  # type: ignore[no-any-return]

    async def one(self, kind: str) -> None:
        c, rng = self.catalogue, self.rng
        if kind in READS:
            variables: dict[str, Any] = {}
            if kind == "districts":
                variables = {"f": {"provinceCode": rng.choice(c["provinces"])}}
            elif kind in ("district", "recommendPartners"):
                variables = {"c": rng.choice(c["districts"])}
            elif kind == "partners":
                variables = {"f": {"operatingProvinceCode": rng.choice(c["provinces"])}}
            elif kind == "quotaProgress":
                variables = {"c": rng.choice(c["provinces"])}
            await self.call(kind, READS[kind], variables)
        elif kind == "proposePartnership":
            data = await self.call(
                kind,
                WRITES[kind],
                {
                    "i": {
                        "partnerId": rng.choice(c["partners"]),
                        "districtCode": rng.choice(c["districts"]),
                        "interventionAreas": ["HEALTH_SERVICES"],
                        "durationMonths": 12,
                    }
                },
            )
            row = self._payload(kind, data, "partnership")
            if row is not None:
                self.acked.partnerships[row["databaseId"]] = row["status"]
                self.proposed.append(row["databaseId"])
        elif kind == "updatePartnershipStatus":
            # Take a partnership no other client is moving; without one, propose instead.
            if self.active and (not self.proposed or rng.random() < 0.4):
                pid, new = self.active.pop(rng.randrange(len(self.active))), "COMPLETED"
            elif self.proposed:
                pid = self.proposed.pop(rng.randrange(len(self.proposed)))
                new = rng.choice(["ACTIVE", "ACTIVE", "ACTIVE", "CANCELLED"])
            else:
                await self.one("proposePartnership")
                return
            from schema.ids import to_global_id

            data = await self.call(
                kind,
                WRITES[kind],
                {"i": {"partnershipId": to_global_id("Partnership", pid), "status": new}},
            )
            row = self._payload(kind, data, "partnership")
            if data is None:
                self.acked.unconfirmed[pid] = new
            if row is not None:
                self.acked.partnerships[pid] = row["status"]
                if row["status"] == "ACTIVE":
                    self.active.append(pid)
        elif kind == "recordRecommendationFeedback":
            data = await self.call(
                kind,
                WRITES[kind],
                {
                    "i": {
                        "districtCode": rng.choice(c["districts"]),
                        "partnerId": rng.choice(c["partners"]),
                        "verdict": rng.choice(["ACCEPTED", "REJECTED"]),
                        "modelVersion": "transparent",
                    }
                },
            )
            row = self._payload(kind, data, "feedback")
            if row is not None:
                self.acked.feedback.add(row["databaseId"])
        elif kind == "createPartner":
            data = await self.call(
                kind,
                WRITES[kind],
                {
                    "i": {
                        "name": f"Yayasan Uji Beban {uuid.uuid4().hex[:10]}",
                        "kind": "NGO",
                        "scope": "LOCAL",
                        "districtCodes": [rng.choice(c["districts"])],
                        "interventionAreas": ["WASH"],
                    }
                },
            )
            row = self._payload(kind, data, "partner")
            if row is not None:
                self.acked.partners.add(row["databaseId"])


def _codes_or_text(response: httpx.Response) -> str:
    """The error codes of a GraphQL error response, else the start of its body."""
    try:
        errors = response.json().get("errors") or []
        return ", ".join(str((e.get("extensions") or {}).get("code")) for e in errors)
    except (ValueError, AttributeError):
        return response.text[:200]


async def catalogue_of(client: httpx.AsyncClient) -> dict[str, list[str]]:
    """District codes, province codes and partner ids to pick requests from."""
    query = "{ provinces { code districts { code } } partners(first: 100) { nodes { id } } }"
    data = (await client.post("/graphql", json={"query": query})).json()["data"]
    return {
        "provinces": [p["code"] for p in data["provinces"]],
        "districts": [d["code"] for p in data["provinces"] for d in p["districts"]],
        "partners": [p["id"] for p in data["partners"]["nodes"]],
    }


async def drive(
    base: str,
    token: str,
    *,
    seconds: float,
    concurrency: int,
    kinds: list[str],
    keepalive: bool = True,
    on_start: Callable[[Driver], None] | None = None,
) -> tuple[Driver, float]:
    """Run the load; without ``keepalive`` every request opens a connection.

    Then the requests spread over all workers (fault tests kill one). ``on_start``
    receives the driver as the load begins (a fault test watches which worker answers).
    """
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency if keepalive else 0
    )
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        driver = Driver(client, token, await catalogue_of(client))
        if on_start is not None:
            on_start(driver)
        weights = [WEIGHTS[k] for k in kinds]
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                await driver.one(driver.rng.choices(kinds, weights)[0])

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return driver, time.monotonic() - started
