"""Citizens' opinions through the deputies' direct line (代表直通车), received to closed."""
