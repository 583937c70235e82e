"""Management commands shared by the whole project."""
