"""Domain functions: ``fn(session, *, ...)`` over the ORM. No GraphQL, no HTTP, no commits."""
