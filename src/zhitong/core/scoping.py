"""Region scoping: narrow any queryset to the region subtree a user works in (工作范围)."""

from django.db.models import QuerySet


def is_unrestricted(user) -> bool:
    """Superusers (who hold the admin site anyway) see every region."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def scope_region_path(user) -> str | None:
    """The region path prefix a region-scoped user may see, or None when the user has none.

    Only active accounts of the region roles (admin, staff, leader, street) that carry a
    region have one; every other role is scoped by assignment, not by region.
    """
    if not (user.is_authenticated and user.is_active):
        return None
    # `is_region_scoped` lives on the user model, so core needs no import from accounts.
    if not user.is_region_scoped or user.region_id is None:
        return None
    return user.region.path


def scope_by_region(queryset: QuerySet, user, region_field: str) -> QuerySet:
    """`queryset` narrowed to rows whose `region_field` lies in the user's region subtree.

    `region_field` is the ORM path to a Region foreign key, e.g. "region" on a station or
    "station__region" on an assignment. A user without a region scope gets `none()`,
    never everything: forgetting to configure an account must not open the data.
    """
    if is_unrestricted(user):
        return queryset
    path = scope_region_path(user)
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{region_field}__path__startswith": path})


def region_in_scope(user, region) -> bool:
    """True if `region` lies in the user's region subtree (the object-level twin of the above)."""
    if region is None:
        return False
    if is_unrestricted(user):
        return True
    path = scope_region_path(user)
    return path is not None and region.path.startswith(path)
