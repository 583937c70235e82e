"""Deputies (人大代表), their memberships per level, and their groups."""
