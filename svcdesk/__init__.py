"""svcdesk: keyboard-driven console for field-service order management."""

__version__ = "0.1.0"
