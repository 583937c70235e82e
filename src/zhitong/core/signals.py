"""Signals a process sends for the apps above it, which it must not import."""

from django.dispatch import Signal

# Many rows of a process were written at once (an import), after the commit: summaries
# kept by an app above (the statistics) are refreshed now rather than on their next timer.
# Sent with `sender` the model and `district` the district's id.
rows_imported = Signal()
