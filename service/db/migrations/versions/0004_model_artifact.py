"""model artifacts in the database: the skops bytes of every model version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 06:50:00

Until now a version's artifact lived only as a file on the host that trained it, so a
second host on the same database could not serve it. The upgrade copies every artifact
file this host still has (and whose SHA-256 matches its row) into the new table;
versions whose file is elsewhere keep loading from ``artifact_path`` where it exists.
"""

import hashlib
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    artifact = op.create_table(
        "model_artifact",
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_version_id"),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, artifact_path, artifact_sha256 FROM model_version")
    ).all()
    for version_id, path, sha256 in rows:
        if not path or not Path(path).is_file():
            continue
        content = Path(path).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            continue
        bind.execute(
            artifact.insert().values(
                model_version_id=version_id, sha256=sha256, size_bytes=len(content), content=content
            )
        )


def downgrade() -> None:
    op.drop_table("model_artifact")
