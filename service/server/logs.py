"""Logging for the CLI and the server: Mitra's own lines by default, libraries on request.

``MITRA_LOG_LEVEL`` (settings ``log_level``): ``info`` (default) shows Mitra's own
progress lines plainly and only warnings from libraries (Alembic's INFO lines, uvicorn's
startup and access lines stay out); ``debug`` shows everything with logger names;
``warning``/``error`` quieten Mitra too.
"""

from __future__ import annotations

import logging
import sys

OWN_LOGGERS = ("mitra", "service", "schema", "recommender")


class _PlainFormatter(logging.Formatter):
    """``message`` for information, ``warning: message`` for anything worse."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            message = f"{record.levelname.lower()}: {message}"
        if record.exc_info:  # unexpected errors keep their traceback in the log
            message = f"{message}\n{self.formatException(record.exc_info)}"
        return message


def configure_logging(level: str) -> None:
    """Set up the root handler on stderr and the levels for ``level`` (see the module doc)."""
    debug = level == "debug"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s") if debug else _PlainFormatter()
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if debug else logging.WARNING)
    own = logging.DEBUG if debug else getattr(logging, level.upper())
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(own)


def uvicorn_log_level(level: str) -> str:
    """uvicorn's own level: its startup lines only when debugging (the banner says it all)."""
    return "info" if level == "debug" else "warning" if level == "info" else level
