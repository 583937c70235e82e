"""Fixtures of the accounts tests: the two-street world."""

from zhitong.accounts.tests.world import world  # noqa: F401
