"""Alembic migration scripts (a package, so wheels and frozen builds carry them)."""
