"""projections (see docs/architecture.md)."""
