"""Create, drop or ping a PostgreSQL database for CI: ``pgdb.py ping|create|drop ADMIN_URL [NAME]``."""

from __future__ import annotations

import re
import sys

import psycopg


def main(argv: list[str]) -> int:
    action, admin_url = argv[0], argv[1]
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if action == "ping":
            print(f"no PostgreSQL: {str(exc).strip().splitlines()[0]}")
            return 1
        raise
    with conn:
        if action == "ping":
            return 0
        name = argv[2]
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise SystemExit(f"bad database name {name!r}")
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown action {action!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
