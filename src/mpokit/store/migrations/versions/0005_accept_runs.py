"""Acceptance runs of the web app: one row per run (summary), one per channel (status).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``accept_run`` and ``accept_channel`` tables."""
    op.create_table(
        "accept_run",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("plan", sa.String(500), nullable=False),
        sa.Column("tolerance_db", sa.Float, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("channels", sa.Integer, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("unexpected", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("details_kept", sa.Integer, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
    )
    op.create_table(
        "accept_channel",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("accept_run.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("first", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_accept_channel_name", "accept_channel", ["run_id", "name"])
    op.create_index("ix_accept_channel_status", "accept_channel",
                    ["run_id", "status", "position"])


def downgrade() -> None:
    """Drop the acceptance tables."""
    op.drop_table("accept_channel")
    op.drop_table("accept_run")
