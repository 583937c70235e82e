"""Notifications: an in-app centre, and SMS/e-mail messages through pluggable senders."""
