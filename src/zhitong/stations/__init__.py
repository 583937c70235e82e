"""Liaison stations (家站室点), their assigned deputies and duty rota."""
