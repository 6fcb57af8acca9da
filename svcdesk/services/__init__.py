"""The domain rules. Plain functions over a Session; no UI imports (textual, typer, rich)."""
