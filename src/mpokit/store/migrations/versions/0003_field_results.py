"""Field acceptance: installed assemblies, field tests, tester results, OTDR events.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the field tables."""
    op.create_table(
        "installed_assembly",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("imported_file.id"), nullable=False,
                  index=True),
        sa.Column("cable_label", sa.String(300), nullable=False, index=True),
        sa.Column("serial", sa.String(100), nullable=False, index=True),
        sa.Column("a_rack", sa.String(50), index=True),
        sa.Column("a_port", sa.String(50)),
        sa.Column("a_device", sa.String(100)),
        sa.Column("b_rack", sa.String(50), index=True),
        sa.Column("b_port", sa.String(50)),
        sa.Column("b_device", sa.String(100)),
    )
    op.create_table(
        "field_test",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("imported_file.id"), nullable=False,
                  index=True),
        sa.Column("label", sa.String(300), nullable=False, index=True),
        sa.Column("serial", sa.String(100), index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(30)),
    )
    op.create_table(
        "field_result",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("test_id", sa.Integer, sa.ForeignKey("field_test.id"), nullable=False,
                  index=True),
        sa.Column("fiber", sa.Integer, nullable=False),
        sa.Column("wavelength_nm", sa.Float, nullable=False),
        sa.Column("loss_db", sa.Float, nullable=False),
        sa.Column("length_m", sa.Float),
        sa.Column("far_fiber", sa.Integer),
        sa.Column("verdict", sa.Boolean),
    )
    op.create_table(
        "field_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("test_id", sa.Integer, sa.ForeignKey("field_test.id"), nullable=False,
                  index=True),
        sa.Column("fiber", sa.Integer, nullable=False),
        sa.Column("wavelength_nm", sa.Float, nullable=False),
        sa.Column("distance_m", sa.Float, nullable=False),
        sa.Column("loss_db", sa.Float, nullable=False),
        sa.Column("reflectance_db", sa.Float),
        sa.Column("end", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    """Drop the field tables."""
    for name in ("field_event", "field_result", "field_test", "installed_assembly"):
        op.drop_table(name)
