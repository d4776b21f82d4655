"""``make notebooks-run``: the three notebooks, executed headless, for readers.

Seeds a scratch SQLite database in a temporary folder (migrate, seed, train and activate
a first model), runs ``notebooks/01 -> 02 -> 03`` against it with a kernel from this
interpreter (parameters injected after each notebook's ``parameters`` cell, as papermill
does), writes each executed notebook as HTML to ``var/notebooks/`` (ignored by git) and,
with ``--figures``, its figures as PNGs to ``docs/figures/`` (committed; shown in
``docs/notebooks.md``). The notebooks in ``notebooks/`` stay without outputs.

``python -m service.tools.notebooks [--figures] [--n-boot N]``
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.settings import PROJECT_ROOT, Settings

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
HTML_DIR = PROJECT_ROOT / "var" / "notebooks"
FIGURE_DIR = PROJECT_ROOT / "docs" / "figures"
NOTEBOOKS = ("01_explore.ipynb", "02_retrain_evaluate.ipynb", "03_promote.ipynb")


def execute(
    name: str, settings: Settings, *, timeout: int = 600, **params: Any
) -> tuple[float, str | None, Any]:
    """Run ``notebooks/name`` with ``DATABASE_URL``/``MODEL_DIR`` from ``settings`` and
    ``params`` injected; returns (seconds, the first error or None, the executed notebook)."""
    import nbclient
    import nbformat

    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's path migration
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    values = {"DATABASE_URL": settings.database_url, "MODEL_DIR": str(settings.model_dir)}
    values.update(params)
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, cell)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    t0 = time.monotonic()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        return time.monotonic() - t0, str(exc)[-3000:], nb
    return time.monotonic() - t0, None, nb


def figures(nb: Any) -> list[bytes]:
    """The PNG figures a notebook's outputs hold, in order."""
    return [
        base64.b64decode(output["data"]["image/png"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]


def figure_name(notebook: str, index: int) -> str:
    """``01_explore.ipynb``, 0 -> ``01_explore-1.png``."""
    return f"{Path(notebook).stem}-{index + 1}.png"


def write_html(nb: Any, target: Path) -> None:
    from nbconvert import HTMLExporter

    body, _resources = HTMLExporter().from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")


def scratch_settings(folder: Path, *, seed: int, n_boot: int) -> Settings:
    """A migrated, seeded SQLite database in ``folder`` with a first model active."""
    from sqlalchemy.orm import Session

    from service.db.migrate import upgrade
    from service.db.session import make_engine
    from service.domain import model_registry
    from service.seed import run_seed

    settings = dataclasses.replace(
        Settings(),
        database_url=f"sqlite:///{folder / 'notebooks.db'}",
        model_dir=folder / "models",
        seed=seed,
    )
    engine = make_engine(settings.sync_database_url)
    try:
        upgrade(engine)
        run_seed(engine, seed=seed)
        with Session(engine, expire_on_commit=False) as session, session.begin():
            model_registry.train_model(session, settings, activate=True, n_boot=n_boot)
    finally:
        engine.dispose()
    return settings


def run(*, n_boot: int, write_figures: bool, html_dir: Path, figure_dir: Path) -> int:
    html_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mitra-notebooks-") as tmp:
        print(f"scratch database in {tmp}: migrating, seeding, training a first model")
        settings = scratch_settings(Path(tmp), seed=Settings().seed, n_boot=n_boot)
        written: list[Path] = []
        for name in NOTEBOOKS:
            print(f"running {name} ...", flush=True)
            seconds, error, nb = execute(name, settings, N_BOOT=n_boot)
            html = html_dir / f"{Path(name).stem}.html"
            write_html(nb, html)
            print(f"  {seconds:.0f} s, {html.relative_to(PROJECT_ROOT)}")
            if error is not None:
                print(f"{name} failed:\n{error}", file=sys.stderr)
                return 1
            if write_figures:
                figure_dir.mkdir(parents=True, exist_ok=True)
                for old in figure_dir.glob(f"{Path(name).stem}-*.png"):
                    old.unlink()
                for i, png in enumerate(figures(nb)):
                    target = figure_dir / figure_name(name, i)
                    target.write_bytes(png)
                    written.append(target)
        for path in written:
            print(f"  figure {path.relative_to(PROJECT_ROOT)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.tools.notebooks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--n-boot", type=int, default=200, help="bootstrap resamples in 02 (default 200)"
    )
    parser.add_argument(
        "--figures", action="store_true", help=f"also write the figures to {FIGURE_DIR}"
    )
    parser.add_argument("--html-dir", type=Path, default=HTML_DIR)
    args = parser.parse_args(argv)
    if args.n_boot < 10:
        parser.error("--n-boot must be at least 10")
    return run(
        n_boot=args.n_boot,
        write_figures=args.figures,
        html_dir=args.html_dir,
        figure_dir=FIGURE_DIR,
    )


if __name__ == "__main__":
    raise SystemExit(main())
