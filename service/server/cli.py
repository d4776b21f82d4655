"""Command line: ``mitra <command>``. Each command parses arguments and calls one function.

A bad argument is reported in one line with exit code 2 (argparse types and ranges,
see :mod:`service.server.arguments`); a failure while running, such as an unreachable
database, in one line with exit code 1. Tracebacks appear only with
``MITRA_LOG_LEVEL=debug``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from service.server import arguments as arg
from service.settings import Settings

if TYPE_CHECKING:
    from service.db.backup import BackupResult


DESCRIPTION = """\
Mitra: partners for Indonesia's stunting-reduction programme, matched to districts.

First run: `mitra setup` (creates and fills the database, trains a first model), then
`mitra serve`; or just `make run`, which does both. The database is DATABASE_URL
(default: SQLite in var/mitra.db); see README.md, "Configuration".
"""

EPILOG = """\
examples:
  mitra serve --port 9000                 serve on http://127.0.0.1:9000
  mitra serve --host 0.0.0.0 --workers 2  two processes (PostgreSQL; see README)
  mitra token create --owner Dina --role planner
  mitra train && mitra models             train, then list model versions
  mitra activate transparent              use the documented transparent scorer
Run `mitra COMMAND --help` for a command's options.
"""


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from service.db.migrate import upgrade
    from service.db.session import make_engine

    upgrade(make_engine(settings.sync_database_url))
    print("database migrated to head")
    return 0


def cmd_seed(settings: Settings, _args: argparse.Namespace) -> int:
    from service.db.migrate import upgrade
    from service.db.session import make_engine
    from service.seed import run_seed

    engine = make_engine(settings.sync_database_url)
    upgrade(engine)
    report = run_seed(engine, seed=settings.seed)
    print(report)
    return 0


def cmd_setup(settings: Settings, args: argparse.Namespace) -> int:
    """Migrate, seed if empty, train a first model if none: what ``make run`` needs."""
    from service.server.setup import prepare_database

    prepare_database(settings, train=not args.no_train)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from service.server.serve import serve

    settings = dataclasses.replace(
        settings,
        host=settings.host if args.host is None else args.host,
        port=settings.port if args.port is None else args.port,
    )
    return serve(settings, workers=args.workers, prepare=args.prepare, pin_cpus=args.pin_cpus)


def cmd_export_schema(_settings: Settings, args: argparse.Namespace) -> int:
    from schema.export import export_sdl

    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(sdl)
        print(f"wrote {args.output}")
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    from service.server import tokens_cli

    if args.action == "create":
        return tokens_cli.create(settings, owner=args.owner, role=args.role)
    if args.action == "list":
        return tokens_cli.list_(settings, include_revoked=args.all)
    return tokens_cli.revoke(settings, token_id=args.id, prefix=args.prefix)


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.train(settings, activate=not args.no_activate, n_boot=args.bootstrap)


def cmd_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.evaluate(settings, n_boot=args.bootstrap)


def cmd_models(settings: Settings, _args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.list_(settings)


def cmd_activate(settings: Settings, args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.activate(settings, version=args.version)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from service.db import backup

    return _backup_command(settings, "backup", backup.backup, args.file)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from service.db import backup

    return _backup_command(settings, "restore", backup.restore, args.file)


def _backup_command(
    settings: Settings, name: str, action: Callable[[str, Path], BackupResult], file: Path
) -> int:
    from service.db.backup import BackupError

    try:
        done = action(settings.sync_database_url, file)
    except BackupError as exc:
        print(f"mitra {name}: {exc}", file=sys.stderr)
        return 1
    if name == "backup":
        print(f"backed up the {done.backend} database to {done.path} ({done.size_bytes:,} bytes)")
    else:
        print(f"restored {done.path} into the {done.backend} database")
    return 0


def _bootstrap_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bootstrap",
        type=arg.int_between(arg.BOOTSTRAP_MIN, arg.BOOTSTRAP_MAX),
        default=1000,
        metavar="N",
        help="bootstrap resamples for the 95%% intervals "
        f"({arg.BOOTSTRAP_MIN}-{arg.BOOTSTRAP_MAX}; default 1000)",
    )


# Commands that read an existing database; the others create or fill one.
NEEDS_DATABASE = frozenset(
    {cmd_token, cmd_train, cmd_evaluate, cmd_models, cmd_activate, cmd_backup}
)


def build_parser() -> argparse.ArgumentParser:
    parser = arg.Parser(
        prog="mitra",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "setup", help="create or update the database: migrate, seed if empty, train if no model"
    )
    p.add_argument("--no-train", action="store_true", help="skip training a first model")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser(
        "serve",
        help="serve the API, GraphiQL and the planner console",
        description="Check the database, then serve /graphql, GraphiQL and the console. "
        "Refuses to start, in one line, when the database is missing, not migrated or "
        "empty. Host and port default to HOST and PORT (127.0.0.1:8000).",
    )
    p.add_argument("--host", type=arg.host, help="address to listen on (default: HOST)")
    p.add_argument("--port", type=arg.port, help="port to listen on, 1-65535 (default: PORT)")
    p.add_argument(
        "--workers",
        type=arg.int_between(1, arg.WORKERS_MAX),
        default=1,
        help="uvicorn worker processes (default 1; more only on PostgreSQL with spare cores)",
    )
    p.add_argument(
        "--pin-cpus",
        action="store_true",
        help="run each worker on a CPU of its own (Linux; for a host that serves "
        "nothing else: the workers' threads then never wake on another worker's CPU)",
    )
    p.add_argument("--prepare", action="store_true", help="run `mitra setup` first")
    p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser(
        "seed", help="load the reference data and the synthetic history (migrates first)"
    ).set_defaults(func=cmd_seed)

    p = sub.add_parser("token", help="create, list or revoke API tokens")
    tokens = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    t = tokens.add_parser("create", help="create a token (printed once, stored as a hash)")
    t.add_argument(
        "--owner", required=True, type=arg.text, help="whose token it is (named in the audit log)"
    )
    t.add_argument("--role", required=True, choices=["viewer", "planner", "admin"])
    t = tokens.add_parser("list", help="list tokens (never their secrets)")
    t.add_argument("--all", action="store_true", help="include revoked tokens")
    t = tokens.add_parser("revoke", help="revoke a token by id or prefix")
    group = t.add_mutually_exclusive_group(required=True)
    group.add_argument("--id", type=arg.int_between(1, 2**63 - 1), help="the token's id")
    group.add_argument("--prefix", type=arg.text, help="the token's prefix, as listed")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("train", help="train, evaluate and register a recommender model")
    p.add_argument("--no-activate", action="store_true", help="register without activating")
    _bootstrap_option(p)
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("evaluate", help="print the recommender evaluation tables")
    _bootstrap_option(p)
    p.set_defaults(func=cmd_evaluate)
    sub.add_parser("models", help="list registered model versions").set_defaults(func=cmd_models)
    p = sub.add_parser(
        "activate",
        help="make a model version the active one (or `transparent`)",
        description="Make VERSION (as listed by `mitra models`) the active model; "
        "`transparent` selects the documented transparent scorer on purpose, and "
        "`mitra setup` then keeps it. Running services switch within seconds.",
    )
    p.add_argument("version", type=arg.model_version, metavar="VERSION")
    p.set_defaults(func=cmd_activate)
    p = sub.add_parser("backup", help="back up the database to FILE (pg_dump or SQLite backup)")
    p.add_argument("file", type=arg.backup_file, metavar="FILE")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup FILE into an empty database")
    p.add_argument("file", type=arg.existing_file, metavar="FILE")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("export-schema", help="print or write the GraphQL SDL")
    p.add_argument(
        "--output",
        type=arg.output_file,
        default="schema/schema.graphql",
        help="file to write, or - for standard output (default: schema/schema.graphql)",
    )
    p.set_defaults(func=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from service.server.logs import configure_logging

    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"mitra: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.func in NEEDS_DATABASE:
        missing = arg.missing_database(settings)
        if missing is not None:
            print(f"mitra {args.command}: {missing}", file=sys.stderr)
            return 1
    return arg.run_reporting_errors(
        lambda: int(args.func(settings, args)),
        command=f"mitra {args.command}",
        settings=settings,
    )


if __name__ == "__main__":
    raise SystemExit(main())
