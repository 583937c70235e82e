"""Who may import structure data: asks the permission defined in zhitong.accounts.rules."""


def can_import(user, region=None) -> bool:
    return user.has_perm("imports.run_import", region)
