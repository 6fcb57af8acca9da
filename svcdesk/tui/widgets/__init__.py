"""Reusable widgets for the console screens."""
