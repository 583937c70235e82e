"""Simplified Chinese date formats for the zh-hans locale (only what differs from Django)."""
