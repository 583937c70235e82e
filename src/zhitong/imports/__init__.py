"""Importing structure data (deputies, stations, units) from office .xlsx files."""
