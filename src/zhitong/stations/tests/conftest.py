"""Fixtures of the stations tests: the two-street world."""

from zhitong.accounts.tests.world import world  # noqa: F401
