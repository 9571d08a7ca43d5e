"""End-face inspection results: one row per inspected image, one per fiber.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``endface_image`` and ``endface_fiber``."""
    op.create_table(
        "endface_image",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("imported_file.id"), nullable=False,
                  index=True),
        sa.Column("serial", sa.String(100), nullable=False, index=True),
        sa.Column("end", sa.String(20), nullable=False),
        sa.Column("image", sa.String(500), nullable=False),
        sa.Column("connector_class", sa.String(40), nullable=False),
        sa.Column("ferrule", sa.String(10), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("pixel_um", sa.Float, nullable=False),
        sa.Column("rules_source", sa.String(500), nullable=False),
        sa.Column("rules_status", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("file_id", "serial", "end", "image", name="uq_endface_image"),
    )
    op.create_table(
        "endface_fiber",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("image_id", sa.Integer, sa.ForeignKey("endface_image.id"), nullable=False,
                  index=True),
        sa.Column("fiber", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("zones", sa.JSON, nullable=False),
        sa.Column("violations", sa.JSON, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("cladding_diameter_um", sa.Float),
        sa.UniqueConstraint("image_id", "fiber", name="uq_endface_fiber"),
    )


def downgrade() -> None:
    """Drop the end-face tables."""
    op.drop_table("endface_fiber")
    op.drop_table("endface_image")
