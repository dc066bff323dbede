"""Command-line face of the service (typer)."""
