"""Management commands of the imports app."""
