"""Local date formats that override Django's zh_Hans ones where the UI wants a different look."""
