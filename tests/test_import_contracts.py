"""The import-linter contracts in pyproject.toml hold, and they bite.

`make lint` runs `lint-imports`; these tests run it on the tree as it is (kept) and on a
copy of the packages with one forbidden import planted (broken, naming the contract).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("service", "schema", "recommender")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
RECOMMENDER_PURE = "recommender is pure numpy/pandas/scikit-learn"
DOMAIN_NO_GRAPHQL = "service.domain and service.db know nothing of GraphQL or HTTP"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first, so the copy is analysed, not the editable install of this worktree.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static", "*.graphql"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(module: Path) -> None:
    module.write_text(module.read_text(encoding="utf-8") + "\nimport strawberry  # planted\n")


def test_contracts_are_kept_on_the_tree() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    assert RECOMMENDER_PURE in result.stdout and DOMAIN_NO_GRAPHQL in result.stdout


@pytest.mark.parametrize(
    ("module", "contract"),
    [
        ("recommender/vocab.py", RECOMMENDER_PURE),
        ("service/domain/pagination.py", DOMAIN_NO_GRAPHQL),
    ],
)
def test_a_planted_strawberry_import_breaks_its_contract(
    tmp_path: Path, module: str, contract: str
) -> None:
    root = _copy_tree(tmp_path)
    clean = _lint_imports(root)
    assert clean.returncode == 0, clean.stdout + clean.stderr  # the copy itself is clean

    _plant(root / module)
    result = _lint_imports(root)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in " ".join(result.stdout.split())
    dotted = module.removesuffix(".py").replace("/", ".")
    assert f"{dotted} -> strawberry" in result.stdout
