"""Management commands of the core app (demo data)."""
