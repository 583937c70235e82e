"""Management commands of the imports app: import_structure."""
