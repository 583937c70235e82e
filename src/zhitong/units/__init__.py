"""Handling units (承办单位) and the category taxonomy with its routing table (分级分类)."""
