"""Settings: environment wins over .env, which wins over defaults; bad values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.settings import Settings, async_url, sync_url


def test_defaults_without_environment(tmp_path: Path) -> None:
    s = Settings.from_env({}, dotenv=tmp_path / "missing.env")
    assert s == Settings(introspection=True)
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("var/mitra.db")


def test_environment_wins_over_dotenv_which_wins_over_defaults(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nPORT=9001\nHOST='0.0.0.0'\nMITRA_SEED=7\n", encoding="utf-8")
    s = Settings.from_env({"PORT": "9002"}, dotenv=dotenv)
    assert (s.port, s.host, s.seed) == (9002, "0.0.0.0", 7)


def test_production_turns_introspection_off_and_refuses_it_on(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    assert Settings.from_env({"MITRA_ENV": "production"}, dotenv=none).introspection is False
    with pytest.raises(ValueError, match="MITRA_INTROSPECTION is on"):
        Settings.from_env({"MITRA_ENV": "production", "MITRA_INTROSPECTION": "yes"}, dotenv=none)
    on = Settings.from_env({"MITRA_INTROSPECTION": "yes"}, dotenv=none)
    assert on.introspection is True and not on.production


def test_rate_limit_settings(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    s = Settings.from_env(
        {
            "MITRA_RATE_LIMIT_PER_MINUTE": "100",
            "MITRA_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0",
            "MITRA_REDIS_URL": "redis://127.0.0.1:6379/2",
        },
        dotenv=none,
    )
    assert (s.rate_limit_per_minute, s.anonymous_rate_limit_per_minute) == (100, 0)
    assert s.redis_url == "redis://127.0.0.1:6379/2"
    assert Settings.from_env({}, dotenv=none).redis_url is None
    assert (
        Settings.from_env({"MITRA_STATEMENT_TIMEOUT_MS": "250"}, dotenv=none).statement_timeout_ms
        == 250
    )


@pytest.mark.parametrize(
    "env",
    [
        {"MITRA_ENV": "staging"},
        {"PORT": "eighty"},
        {"MITRA_INTROSPECTION": "maybe"},
        {"MITRA_RATE_LIMIT_PER_MINUTE": "-1"},
        {"MITRA_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "lots"},
        {"MITRA_STATEMENT_TIMEOUT_MS": "1.5"},
    ],
)
def test_bad_values_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Settings.from_env(env, dotenv=tmp_path / "none.env")


@pytest.mark.parametrize(
    ("url", "sync", "async_"),
    [
        ("sqlite:///x.db", "sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_driver_urls(url: str, sync: str, async_: str) -> None:
    assert (sync_url(url), async_url(url)) == (sync, async_)


@given(st.text(max_size=40))
def test_any_dotenv_text_parses_or_is_ignored(text: str) -> None:
    # A .env file with arbitrary content never crashes the parser; unknown keys are ignored.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ".env"
        path.write_text(text.replace("\x00", ""), encoding="utf-8")
        # every key that is parsed is pinned by the environment, which wins
        env = {"PORT": "8123", "MITRA_ENV": "test", "MITRA_INTROSPECTION": "on", "MITRA_SEED": "1"}
        s = Settings.from_env(env, dotenv=path)
    assert (s.port, s.environment, s.introspection, s.seed) == (8123, "test", True, 1)
