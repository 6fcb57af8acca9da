"""The Typer face. Thin: parse, call services, print."""
