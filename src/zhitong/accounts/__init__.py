"""Accounts, roles and their scopes; login, lockout, home pages."""
