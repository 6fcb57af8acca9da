"""Alembic migrations. Every schema change ships a revision here (see docs/migrations.md)."""
