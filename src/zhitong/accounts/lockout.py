"""How django-axes reads the account name of a login attempt."""

USERNAME_MAX = 150


def username_from_request(request, credentials) -> str | None:
    """The name tried, as axes records it: at most USERNAME_MAX characters, no NUL."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") if request is not None else None
    if name is None:
        return None
    return str(name).replace("\x00", "")[:USERNAME_MAX]
