"""What every domain shares: the event timeline, region scoping."""
