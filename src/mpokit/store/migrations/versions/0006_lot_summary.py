"""The lot list kept between imports (one row per limit profile and Monte Carlo setting).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``lot_summary`` table."""
    op.create_table(
        "lot_summary",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("data_version", sa.Integer, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    """Drop the ``lot_summary`` table."""
    op.drop_table("lot_summary")
