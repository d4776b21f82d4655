"""The composition root: the Starlette app, its middleware and the CLI."""
