"""The store's tables (SQLAlchemy 2 declarative models).

One row per measured value: an IL/RL ``Measurement`` per serial, end, fiber and wavelength; a
``GeometryEnd`` per measured ferrule end with its per-fiber ``GeometryFiber`` heights. Every
row points at the ``ImportedFile`` it came from (its SHA-256 makes re-imports idempotent), and
``origin`` tells a supplier's claimed data from the buyer's incoming re-measurement.
The schema is created and upgraded by the Alembic migrations in ``store/migrations``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Assembly",
    "Base",
    "GeometryEnd",
    "GeometryFiber",
    "ImportedFile",
    "Inspection",
    "Measurement",
]


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class ImportedFile(Base):
    """One imported file; (``sha256``, ``origin``) is unique, so the same bytes are imported at
    most once as supplier data and once as an incoming re-measurement."""

    __tablename__ = "imported_file"
    __table_args__ = (UniqueConstraint("sha256", "origin", name="uq_imported_file_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Assembly(Base):
    """A cable assembly (or ferrule) by serial, with its lot and supplier when known."""

    __tablename__ = "assembly"
    serial: Mapped[str] = mapped_column(String(100), primary_key=True)
    lot: Mapped[str | None] = mapped_column(String(100), index=True)
    supplier: Mapped[str | None] = mapped_column(String(100), index=True)


class Measurement(Base):
    """Insertion and return loss of one fiber of one end at one wavelength."""

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("file_id", "serial", "end", "fiber", "wavelength_nm",
                         name="uq_measurement_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("imported_file.id"), index=True)
    serial: Mapped[str] = mapped_column(String(100), index=True)
    end: Mapped[str] = mapped_column(String(20))
    fiber: Mapped[int] = mapped_column(Integer)
    wavelength_nm: Mapped[float] = mapped_column(Float)
    il_db: Mapped[float] = mapped_column(Float)
    rl_db: Mapped[float | None] = mapped_column(Float)
    station: Mapped[str] = mapped_column(String(100), index=True)
    measured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    origin: Mapped[str] = mapped_column(String(20))


class GeometryEnd(Base):
    """End-face geometry summary of one ferrule end (from ``qc geometry`` / ``qc batch``)."""

    __tablename__ = "geometry_end"
    __table_args__ = (UniqueConstraint("file_id", "serial", "end", name="uq_geometry_end"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("imported_file.id"), index=True)
    serial: Mapped[str] = mapped_column(String(100), index=True)
    end: Mapped[str] = mapped_column(String(20))
    profile: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool] = mapped_column(Boolean)
    parameters: Mapped[dict[str, float | None]] = mapped_column(JSON)
    failed_checks: Mapped[str] = mapped_column(String(500))


class GeometryFiber(Base):
    """Per-fiber geometry of one end (height relative to the ferrule fit)."""

    __tablename__ = "geometry_fiber"
    __table_args__ = (UniqueConstraint("end_id", "fiber", name="uq_geometry_fiber"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    end_id: Mapped[int] = mapped_column(ForeignKey("geometry_end.id"), index=True)
    fiber: Mapped[int] = mapped_column(Integer)
    row: Mapped[int] = mapped_column(Integer)
    x_um: Mapped[float | None] = mapped_column(Float)
    y_um: Mapped[float | None] = mapped_column(Float)
    height_nm: Mapped[float | None] = mapped_column(Float)


class Inspection(Base):
    """An incoming-inspection decision on one lot (ISO 2859-1 single sampling)."""

    __tablename__ = "inspection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot: Mapped[str] = mapped_column(String(100), index=True)
    supplier: Mapped[str | None] = mapped_column(String(100), index=True)
    lot_size: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(4))
    aql: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(10))
    sample_size: Mapped[int] = mapped_column(Integer)
    ac: Mapped[int] = mapped_column(Integer)
    re: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    sample: Mapped[list[str]] = mapped_column(JSON)
    nonconforming: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
