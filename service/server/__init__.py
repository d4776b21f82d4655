"""Composition root: the Starlette app, the CLI and its subcommands, setup, the console,
the result cache and the multi-worker server."""
