"""Command line: ``mitra <command>``. Each command parses arguments and calls one function."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from service.settings import Settings

log = logging.getLogger("mitra")


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
    import uvicorn

    from service.server.app import create_app

    if args.prepare:
        from service.server.setup import prepare_database

        prepare_database(settings, train=True)
    if args.workers > 1:
        from service.server.serve import serve_workers

        return serve_workers(settings, args.workers)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
    )
    return 0


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

    return models_cli.train(settings, activate=not args.no_activate)


def cmd_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.evaluate(settings, n_boot=args.bootstrap)


def cmd_models(settings: Settings, _args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.list_(settings)


def cmd_activate(settings: Settings, args: argparse.Namespace) -> int:
    from service.server import models_cli

    return models_cli.activate(settings, version=args.version)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mitra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("seed", help="load reference data and synthetic history").set_defaults(
        func=cmd_seed
    )
    p = sub.add_parser("setup", help="migrate, seed if empty, train a first model if none")
    p.add_argument("--no-train", action="store_true")
    p.set_defaults(func=cmd_setup)
    p = sub.add_parser("serve", help="serve the GraphQL API with uvicorn")
    p.add_argument("--prepare", action="store_true", help="run setup first")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes, each with its own SO_REUSEPORT socket (default 1)",
    )
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("token", help="create, list or revoke API tokens")
    tokens = p.add_subparsers(dest="action", required=True)
    t = tokens.add_parser("create", help="create a token (printed once, stored as a hash)")
    t.add_argument("--owner", required=True, help="whose token it is (named in the audit log)")
    t.add_argument("--role", required=True, choices=["viewer", "planner", "admin"])
    t = tokens.add_parser("list", help="list tokens (never their secrets)")
    t.add_argument("--all", action="store_true", help="include revoked tokens")
    t = tokens.add_parser("revoke", help="revoke a token by id or prefix")
    group = t.add_mutually_exclusive_group(required=True)
    group.add_argument("--id", type=int)
    group.add_argument("--prefix")
    p.set_defaults(func=cmd_token)
    p = sub.add_parser("train", help="train, evaluate and register a recommender model")
    p.add_argument("--no-activate", action="store_true", help="register without activating")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("evaluate", help="print the recommender evaluation tables")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    p.set_defaults(func=cmd_evaluate)
    sub.add_parser("models", help="list registered model versions").set_defaults(func=cmd_models)
    p = sub.add_parser("activate", help="make a model version the active one")
    p.add_argument("version")
    p.set_defaults(func=cmd_activate)
    p = sub.add_parser("export-schema", help="print or write the GraphQL SDL")
    p.add_argument("--output", default="schema/schema.graphql")
    p.set_defaults(func=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"mitra: configuration error: {exc}", file=sys.stderr)
        return 2
    return int(args.func(settings, args))


if __name__ == "__main__":
    raise SystemExit(main())
