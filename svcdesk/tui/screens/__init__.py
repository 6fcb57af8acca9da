"""Screens. Every module here is imported by `registry.discover()`; register navigable
screens with `svcdesk.tui.registry.register_screen` (see the doc at the top of registry.py)."""
