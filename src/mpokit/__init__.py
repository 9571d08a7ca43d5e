"""mpokit: MPO fiber plants from cluster spec to verified, procured and accepted cabling."""

__version__ = "0.1.0"
