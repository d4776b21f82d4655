"""What the CLI accepts, and how it reports what it does not: one line, never a traceback.

Argument types raise :class:`argparse.ArgumentTypeError` with a message that says what
is expected; :class:`Parser` prints it as ``mitra COMMAND: error: ...`` in one line and
exits 2 (argparse's convention for usage errors). :func:`run_reporting_errors` does the
same for failures while a command runs (exit 1, or 2 for a value only the database can
refuse, such as an unknown model version).
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from service.settings import Settings

BOOTSTRAP_MIN, BOOTSTRAP_MAX = 10, 100_000
WORKERS_MAX = 64
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]{1,253}")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``mitra serve: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class UsageError(Exception):
    """A value the parser could not check (it needs the database): exit 2, one line."""


def int_between(low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, not {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value

    parse.__name__ = "number"
    return parse


port = int_between(1, 65535)


def host(text: str) -> str:
    """A host name or IP address to listen on."""
    if not _HOST.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a host name or IP address such as 127.0.0.1 or 0.0.0.0, not {text!r}"
        )
    return text


def text(value: str) -> str:
    """Non-empty text."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def model_version(value: str) -> str:
    """A model version as ``mitra models`` lists it, or ``transparent``."""
    if not _VERSION.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a model version: letters, digits, '.', '_' and '-', at most "
            "40 characters, as `mitra models` lists them, or `transparent`"
        )
    return value


def output_file(value: str) -> str:
    """``-`` or a file in an existing folder."""
    if value == "-":
        return value
    parent = Path(value).parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"there is no folder {str(parent)!r} to write into")
    return value


def backup_file(value: str) -> Path:
    """Where ``mitra backup`` writes: a file name, not a folder (folders are created)."""
    path = Path(value)
    if not value.strip() or path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a folder: give the backup a file name")
    return path


def existing_file(value: str) -> Path:
    """A file that is there (``mitra restore``)."""
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"there is no file {value!r}")
    return path


def missing_database(settings: Settings) -> str | None:
    """Why a command that reads the database cannot start (a SQLite file that is not
    there, which connecting would create empty), or None."""
    from service.server.health import NO_DATABASE, sqlite_file

    path = sqlite_file(settings.sync_database_url)
    if path is not None and not path.is_file():
        return NO_DATABASE.format(path=path)
    return None


def run_reporting_errors(run: Callable[[], int], *, command: str, settings: Settings) -> int:
    """Run a command; report a failure in one line on stderr instead of a traceback."""
    try:
        return run()
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except UsageError as exc:
        print(f"{command}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if settings.log_level == "debug":
            traceback.print_exc()
        from sqlalchemy.exc import SQLAlchemyError

        from service.server.health import display_url, first_line

        if isinstance(exc, SQLAlchemyError):
            where = display_url(settings.database_url)
            print(f"{command}: database {where}: {first_line(exc)}", file=sys.stderr)
        else:
            print(f"{command}: {type(exc).__name__}: {first_line(exc)}", file=sys.stderr)
        return 1
