"""Fiber-level connectivity: channel files, compiled channels, polarity and mating checks."""
