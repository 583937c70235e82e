"""Simplified Chinese date formats that differ from Django's zh_Hans defaults."""

# Django pads the month ("03月5日"); the pages have always shown "3月5日".
MONTH_DAY_FORMAT = "n月j日"
