"""Settings: the only module that reads the environment.

Precedence: process environment, then a ``.env`` file in the working directory,
then the defaults below. Tests build their own :class:`Settings` instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'mitra.db'}"
DEFAULT_MODEL_DIR = PROJECT_ROOT / "var" / "models"


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _as_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


_ORIGIN = re.compile(r"https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


def parse_origins(value: str) -> tuple[str, ...]:
    """``MITRA_CORS_ORIGINS``: comma-separated origins (``scheme://host[:port]``) or ``*``.

    A browser's ``Origin`` header never has a path or a trailing slash, so one written
    that way would never match: it is refused here rather than silently ignored.
    """
    origins = tuple(o.strip() for o in value.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"MITRA_CORS_ORIGINS: {origin!r} is not an origin such as "
                "'https://planner.example.org' or 'http://localhost:3000' (no path, no '/')"
            )
    return origins


LOG_LEVELS = ("debug", "info", "warning", "error")


def _log_level(value: str) -> str:
    level = value.strip().lower()
    if level not in LOG_LEVELS:
        raise ValueError(f"MITRA_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def sync_url(url: str) -> str:
    """The URL with a synchronous driver (Alembic, seeding, notebooks)."""
    if url.startswith("sqlite+aiosqlite:"):
        return "sqlite:" + url.removeprefix("sqlite+aiosqlite:")
    if url.startswith(("postgresql:", "postgres:", "postgresql+asyncpg:")):
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    return url


def async_url(url: str) -> str:
    """The URL with an asynchronous driver (the service)."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url.removeprefix("sqlite:")
    if url.startswith(("postgresql:", "postgres:", "postgresql+asyncpg:")):
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    return url


def _as_count(name: str, env: Mapping[str, str], default: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be 0 (no limit) or more, not {value}")
    return value


# Passwords that come from examples and development setups; production refuses them.
DEVELOPMENT_PASSWORDS = frozenset(
    {"postgres", "password", "secret", "changeme", "mitra", "dev", "development", "test", "admin"}
)


def _url_password(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:  # not a URL; the driver will say so
        return None


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"  # "production" masks errors, may hide introspection
    introspection: bool = True
    max_page_size: int = 100
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    # estimated objects one query may return (schema/cost.py)
    max_result_objects: int = 50_000
    reads_require_token: bool = False  # True: queries need a viewer token too
    # Budgets in query-cost units (schema/cost.py) per minute; 0 turns a limit off.
    # One console map load is ~55,000 units (6 pages of 100 districts, ~9,200 each).
    rate_limit_per_minute: int = 600_000  # per token
    anonymous_rate_limit_per_minute: int = 200_000  # per client address, without a token
    # Set: the budgets live in this Redis, shared by every worker and host; else per process.
    redis_url: str | None = None
    # PostgreSQL cancels a statement of the service after this long (0: no limit).
    statement_timeout_ms: int = 30_000
    # Query results kept in memory per worker, keyed by the data version (MITRA_RESULT_CACHE)
    result_cache: bool = True
    result_cache_bytes: int = 64 * 1024 * 1024  # MITRA_RESULT_CACHE_BYTES
    # Origins whose browser pages may call the API (CORS); empty: same-origin only.
    cors_origins: tuple[str, ...] = ()
    # debug: library INFO lines (Alembic, uvicorn, access log) and tracebacks in the CLI
    log_level: str = "info"
    model_dir: Path = DEFAULT_MODEL_DIR
    seed: int = 20221

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def production_problems(self) -> list[str]:
        """Why these settings must not serve in production (empty when they may)."""
        if not self.production:
            return []
        problems = []
        if self.introspection:
            problems.append(
                "MITRA_INTROSPECTION is on: production does not publish its schema; unset it"
            )
        for name, url in (("DATABASE_URL", self.database_url), ("MITRA_REDIS_URL", self.redis_url)):
            password = _url_password(url)
            if password is not None and password.lower() in DEVELOPMENT_PASSWORDS:
                problems.append(f"{name} uses a development password: set the production one")
        return problems

    def check_production(self) -> None:
        """Raise ValueError naming every problem of :meth:`production_problems`."""
        problems = self.production_problems()
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))

    @property
    def sync_database_url(self) -> str:
        return sync_url(self.database_url)

    @property
    def async_database_url(self) -> str:
        return async_url(self.database_url)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = None
    ) -> Settings:
        env = dict(_read_dotenv(dotenv if dotenv is not None else Path.cwd() / ".env"))
        env.update(os.environ if environ is None else environ)
        defaults = cls()
        environment = env.get("MITRA_ENV", defaults.environment)
        if environment not in {"development", "production", "test"}:
            raise ValueError(
                f"MITRA_ENV must be development, production or test, not {environment!r}"
            )
        introspection_default = "false" if environment == "production" else "true"
        settings = cls(
            database_url=env.get(
                "DATABASE_URL", env.get("MITRA_DATABASE_URL", defaults.database_url)
            ),
            host=env.get("HOST", defaults.host),
            port=int(env.get("PORT", defaults.port)),
            environment=environment,
            introspection=_as_bool(env.get("MITRA_INTROSPECTION", introspection_default)),
            reads_require_token=_as_bool(env.get("MITRA_READS_REQUIRE_TOKEN", "false")),
            rate_limit_per_minute=_as_count(
                "MITRA_RATE_LIMIT_PER_MINUTE", env, defaults.rate_limit_per_minute
            ),
            anonymous_rate_limit_per_minute=_as_count(
                "MITRA_ANONYMOUS_RATE_LIMIT_PER_MINUTE",
                env,
                defaults.anonymous_rate_limit_per_minute,
            ),
            redis_url=env.get("MITRA_REDIS_URL") or None,
            statement_timeout_ms=_as_count(
                "MITRA_STATEMENT_TIMEOUT_MS", env, defaults.statement_timeout_ms
            ),
            result_cache=_as_bool(env.get("MITRA_RESULT_CACHE", "on")),
            result_cache_bytes=int(
                env.get("MITRA_RESULT_CACHE_BYTES", defaults.result_cache_bytes)
            ),
            cors_origins=parse_origins(env.get("MITRA_CORS_ORIGINS", "")),
            log_level=_log_level(env.get("MITRA_LOG_LEVEL", defaults.log_level)),
            model_dir=Path(env.get("MITRA_MODEL_DIR", str(defaults.model_dir))),
            seed=int(env.get("MITRA_SEED", defaults.seed)),
        )
        settings.check_production()
        return settings
