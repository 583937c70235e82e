"""Deputies' suggestions (代表建议, 提交办督评); for now the drafts raised from opinions."""
