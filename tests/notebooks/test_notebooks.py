"""Every notebook runs top to bottom; promoting a model reaches a running service.

One seeded scratch database (PostgreSQL when the suite runs on it) with a first model
trained and active, a temporary model folder, and ``uvicorn`` serving that database in a
subprocess on a free port. The notebooks run in order (explore, retrain + register a
candidate, promote it) with an ipykernel from this interpreter; parameters are injected
after each notebook's ``parameters`` cell, as papermill does. Then the running service
must report the promoted version without a restart.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from service.auth import Role
from service.db.session import make_engine
from service.domain import model_registry
from service.settings import Settings
from service.tools.notebooks import execute as run_notebook
from tests.schema.api_support import create_tokens_sync, seeded_database

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
N_BOOT = 20  # bootstrap resamples in the notebooks: enough to run, fast


@dataclasses.dataclass
class Service:
    url: str
    settings: Settings
    first_version: str
    tokens: dict[Role, str]
    runs: dict[str, tuple[float, str | None]] = dataclasses.field(default_factory=dict)
    notebooks: dict[str, Any] = dataclasses.field(default_factory=dict)
    served_before: str = ""

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        req = urllib.request.Request(
            f"{self.url}/graphql",
            method="POST",
            headers=headers,
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                body: dict[str, Any] = json.load(resp)
        except urllib.error.HTTPError as exc:
            body = json.load(exc)
        return body

    def active_version(self) -> str:
        body = self.graphql("{ activeModel { version } }")
        assert "errors" not in body, body
        return str(body["data"]["activeModel"]["version"])

    def wait_for_version(self, version: str, seconds: float = 15.0) -> float:
        """Seconds until the service reports ``version`` as active (fails after ``seconds``)."""
        t0 = time.monotonic()
        while (served := self.active_version()) != version:
            assert time.monotonic() - t0 < seconds, f"still serving {served}, not {version}"
            time.sleep(0.25)
        return time.monotonic() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Service]:
    tmp = tmp_path_factory.mktemp("notebooks")
    with seeded_database(tmp, seed=settings.seed) as url:
        s = dataclasses.replace(settings, database_url=url, model_dir=tmp / "models")
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                first = model_registry.train_model(session, s, activate=True, n_boot=N_BOOT)
        finally:
            engine.dispose()
        tokens = create_tokens_sync(url)
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "MITRA_MODEL_DIR": str(s.model_dir),
            "MITRA_ENV": "test",
        }
        log = (tmp / "uvicorn.log").open("w")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "service.server.app:create_app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            svc = Service(f"http://127.0.0.1:{port}", s, first.version, tokens)
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{svc.url}/healthz", timeout=2).close()
                    break
                except OSError:
                    assert proc.poll() is None, (tmp / "uvicorn.log").read_text()
                    assert time.monotonic() < deadline, "uvicorn did not start"
                    time.sleep(0.2)
            yield svc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def execute(
    name: str, settings: Settings, **params: Any
) -> tuple[float, str | None, nbformat.NotebookNode]:
    """Run a notebook with injected parameters; (seconds, first error or None, notebook).

    The same runner as ``make notebooks-run`` (:mod:`service.tools.notebooks`)."""
    return run_notebook(name, settings, timeout=240, **{"N_BOOT": N_BOOT, **params})


@pytest.fixture(scope="module")
def executed(service: Service) -> Service:
    """The notebooks, run in order against the running service's database."""
    service.served_before = service.active_version()
    for name in NOTEBOOKS:
        seconds, error, nb = execute(name, service.settings)
        service.runs[name] = (seconds, error)
        service.notebooks[name] = nb
    return service


def test_notebooks_exist() -> None:
    assert NOTEBOOKS == ["01_explore.ipynb", "02_retrain_evaluate.ipynb", "03_promote.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_error(executed: Service, name: str) -> None:
    seconds, error = executed.runs[name]
    assert error is None, f"{name} failed after {seconds:.1f} s:\n{error}"


def test_retrain_notebook_shows_the_real_record_rankers(executed: Service) -> None:
    """Notebook 02 prints and plots the real-record rankers stored with the version."""
    nb = executed.notebooks["02_retrain_evaluate.ipynb"]
    cell = next(c for c in nb.cells if c.cell_type == "code" and "real_model" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
    for word in ("partners_for_district", "districts_for_partner", "conditional logit"):
        assert word in text, text
    assert "random walk with restart" in text and "L2 penalty" in text
    assert len(images) == 1


def test_promoted_version_is_served_without_restart(executed: Service) -> None:
    assert executed.served_before == executed.first_version
    engine = make_engine(executed.settings.database_url)
    try:
        with Session(engine) as session:
            versions = model_registry.list_versions(session)
    finally:
        engine.dispose()
    active = [v.version for v in versions if v.active]
    assert len(versions) == 2 and active != [executed.first_version]
    new = active[0]
    executed.wait_for_version(new)
    body = executed.graphql(
        '{ recommendPartners(districtCode: "53.02", first: 3) { rank modelVersion } }'
    )
    assert "errors" not in body, body
    assert {r["modelVersion"] for r in body["data"]["recommendPartners"]} == {new}


def test_promote_over_http_with_an_admin_token(executed: Service) -> None:
    _, error, _ = execute(
        "03_promote.ipynb",
        executed.settings,
        CANDIDATE_VERSION=executed.first_version,
        SERVICE_URL=executed.url,
        ADMIN_TOKEN=executed.tokens[Role.ADMIN],
    )
    assert error is None, error
    assert executed.active_version() == executed.first_version
    body = executed.graphql(
        '{ recommendPartners(districtCode: "53.02", first: 2) { modelVersion } }'
    )
    assert {r["modelVersion"] for r in body["data"]["recommendPartners"]} == {
        executed.first_version
    }


def test_feedback_through_the_api_reaches_the_next_training(executed: Service) -> None:
    planner, admin = executed.tokens[Role.PLANNER], executed.tokens[Role.ADMIN]
    recs = executed.graphql(
        '{ recommendPartners(districtCode: "95.03", first: 2) { partner { id } } }'
    )
    ids = [r["partner"]["id"] for r in recs["data"]["recommendPartners"]]
    for pid, verdict in zip(ids, ["ACCEPTED", "REJECTED"], strict=True):
        body = executed.graphql(
            "mutation($i: RecordRecommendationFeedbackInput!) { recordRecommendationFeedback("
            "input: $i) { userErrors { code } } }",
            {"i": {"districtCode": "95.03", "partnerId": pid, "verdict": verdict}},
            planner,
        )
        assert body["data"]["recordRecommendationFeedback"]["userErrors"] == [], body
    versions = executed.graphql("{ modelVersions { version dataHash active } }")
    before = {v["dataHash"] for v in versions["data"]["modelVersions"]}
    body = executed.graphql(
        "mutation { trainModel(input: {activate: true}) { modelVersion { version dataHash "
        "active metrics card } userErrors { code message } } }",
        token=admin,
    )
    assert "errors" not in body, body
    payload = body["data"]["trainModel"]
    assert payload["userErrors"] == []
    mv = payload["modelVersion"]
    assert mv["active"] and mv["dataHash"] not in before
    training = mv["metrics"]["training"]
    assert (training["feedback_accepted"], training["feedback_rejected"]) == (1, 1)
    assert mv["card"]["training_data"]["feedback_verdicts"] == 2
    executed.wait_for_version(mv["version"])
    listed = executed.graphql("{ modelVersions { version metrics card } }")["data"]
    assert len(listed["modelVersions"]) == 3
    for v in listed["modelVersions"]:
        assert v["metrics"]["time_split"] and v["card"]["known_limitations"], v["version"]


def test_committed_notebooks_have_no_outputs() -> None:
    """Outputs are stripped: in the working tree and in what git holds (HEAD)."""
    for name in NOTEBOOKS:
        texts = [(NOTEBOOK_DIR / name).read_text(encoding="utf-8")]
        shown = subprocess.run(
            ["git", "show", f"HEAD:notebooks/{name}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode == 0:
            texts.append(shown.stdout)
        for text in texts:
            nb = nbformat.reads(text, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    assert cell.outputs == [] and cell.execution_count is None, name
