"""Initial schema: imported files, assemblies, IL/RL, geometry, inspections.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the first schema."""
    op.create_table(
        "imported_file",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sha256", "origin", name="uq_imported_file_hash"),
    )
    op.create_table(
        "assembly",
        sa.Column("serial", sa.String(100), primary_key=True),
        sa.Column("lot", sa.String(100), index=True),
        sa.Column("supplier", sa.String(100), index=True),
    )
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("imported_file.id"), nullable=False,
                  index=True),
        sa.Column("serial", sa.String(100), nullable=False, index=True),
        sa.Column("end", sa.String(20), nullable=False),
        sa.Column("fiber", sa.Integer, nullable=False),
        sa.Column("wavelength_nm", sa.Float, nullable=False),
        sa.Column("il_db", sa.Float, nullable=False),
        sa.Column("rl_db", sa.Float),
        sa.Column("station", sa.String(100), nullable=False, index=True),
        sa.Column("measured_at", sa.DateTime(timezone=True)),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.UniqueConstraint("file_id", "serial", "end", "fiber", "wavelength_nm",
                            name="uq_measurement_key"),
    )
    op.create_table(
        "geometry_end",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("imported_file.id"), nullable=False,
                  index=True),
        sa.Column("serial", sa.String(100), nullable=False, index=True),
        sa.Column("end", sa.String(20), nullable=False),
        sa.Column("profile", sa.String(100), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("failed_checks", sa.String(500), nullable=False),
        sa.UniqueConstraint("file_id", "serial", "end", name="uq_geometry_end"),
    )
    op.create_table(
        "geometry_fiber",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("end_id", sa.Integer, sa.ForeignKey("geometry_end.id"), nullable=False,
                  index=True),
        sa.Column("fiber", sa.Integer, nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("x_um", sa.Float),
        sa.Column("y_um", sa.Float),
        sa.Column("height_nm", sa.Float),
        sa.UniqueConstraint("end_id", "fiber", name="uq_geometry_fiber"),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lot", sa.String(100), nullable=False, index=True),
        sa.Column("supplier", sa.String(100), index=True),
        sa.Column("lot_size", sa.Integer, nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("aql", sa.Float, nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("ac", sa.Integer, nullable=False),
        sa.Column("re", sa.Integer, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("sample", sa.JSON, nullable=False),
        sa.Column("nonconforming", sa.Integer),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop every table."""
    for name in ("inspection", "geometry_fiber", "geometry_end", "measurement", "assembly",
                 "imported_file"):
        op.drop_table(name)
