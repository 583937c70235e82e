"""Office spreadsheets that users upload (导入): layouts of columns, the guarded reader, row
checks with a per-row report, and blank templates. Shared by the structure imports and the
processes' own imports (the opinion ledger), so it sits in core."""
