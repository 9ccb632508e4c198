"""Who is calling the POS/mall API: the user behind a bearer token, read in one statement.

FAB would load the ORM user, then lazy-load roles, groups and their roles, and
the store scope would load the staff row: four round trips and an ORM object
graph on every API request. An API request only needs the ids and names, so
``load_principal`` reads them (and the configuration version, see
``PluginHost.config_version``) with one Core statement.

Each worker keeps what it read for ``CALLER_CACHE_SECONDS`` (``CallerCache``),
like the role grants (``PERMISSION_CACHE_SECONDS``): deactivating a user,
changing roles or store, a plugin toggle or a setting takes effect in every
worker within that time, and at once in the worker that made the change.

Admin pages keep FAB's ORM user (flask-login sessions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from flask_appbuilder.security.sqla.models import (
    Role,
    User,
    assoc_group_role,
    assoc_user_group,
    assoc_user_role,
)
from sqlalchemy import bindparam, select, true, union

from app.platform.caches import caller_cache
from app.platform.models import PluginStateVersion
from app.platform.staff import Staff


@dataclass(frozen=True)
class RoleRef:
    id: int
    name: str


@dataclass(frozen=True)
class StaffRef:
    """The caller's staff row (read-only): what the API needs of ``org.models.Staff``."""

    id: int
    user_id: int
    store_id: int | None
    employee_no: str
    name: str
    status: str


@dataclass(frozen=True)
class ApiPrincipal:
    """Quacks like FAB's user for ``has_access`` and ``g.user``; never attached to a session.
    Frozen: one instance serves every request of the caller while it is cached."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    active: bool
    roles: list[RoleRef] = field(default_factory=list)  # a list: FAB adds it to a list
    staff: StaffRef | None = None
    groups: list = field(default_factory=list)  # group roles are folded into ``roles``

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<ApiPrincipal {self.username}>"


@lru_cache(maxsize=1)
def _principal_statement():
    """Built once: the caller's columns, role ids (direct and through groups), staff row
    and the configuration version, for ``:user_id``."""
    user, role, staff = User.__table__, Role.__table__, Staff.__table__
    user_id = bindparam("user_id")
    role_ids = union(
        select(assoc_user_role.c.role_id.label("role_id")).where(assoc_user_role.c.user_id == user_id),
        select(assoc_group_role.c.role_id.label("role_id"))
        .join(assoc_user_group, assoc_user_group.c.group_id == assoc_group_role.c.group_id)
        .where(assoc_user_group.c.user_id == user_id),
    ).subquery()
    version = select(PluginStateVersion.__table__.c.version).limit(1).scalar_subquery()
    return (
        select(
            user.c.id, user.c.username, user.c.first_name, user.c.last_name, user.c.email, user.c.active,
            role.c.id.label("role_id"), role.c.name.label("role_name"),
            staff.c.id.label("staff_id"), staff.c.store_id, staff.c.employee_no,
            staff.c.name.label("staff_name"), staff.c.status.label("staff_status"),
            version.label("config_version"),
        )
        .select_from(user)
        .outerjoin(role_ids, true())  # the subquery holds only this user's role ids
        .outerjoin(role, role.c.id == role_ids.c.role_id)
        .outerjoin(staff, staff.c.user_id == user.c.id)
        .where(user.c.id == user_id)
    )


def load_principal(session, user_id: int) -> tuple[ApiPrincipal | None, int]:
    """``(principal or None, configuration version)`` in one statement."""
    rows = session.connection().execute(_principal_statement(), {"user_id": user_id}).all()
    if not rows:
        return None, -1
    first = rows[0]
    staff = None
    if first.staff_id is not None:
        staff = StaffRef(first.staff_id, first.id, first.store_id, first.employee_no, first.staff_name,
                         first.staff_status)
    roles = {row.role_id: RoleRef(row.role_id, row.role_name) for row in rows if row.role_id is not None}
    principal = ApiPrincipal(
        id=first.id, username=first.username, first_name=first.first_name or "",
        last_name=first.last_name or "", email=first.email or "", active=bool(first.active),
        roles=list(roles.values()), staff=staff,
    )
    return principal, first.config_version or 0


def cached_principal(app, session, user_id: int) -> tuple[ApiPrincipal | None, int]:
    """``load_principal``, through the worker's ``CallerCache`` when ``CALLER_CACHE_SECONDS`` > 0."""
    ttl = float(app.config.get("CALLER_CACHE_SECONDS", 0))
    if ttl <= 0:
        return load_principal(session, user_id)
    cache = caller_cache(app)
    hit = cache.get(user_id, ttl)
    if hit is not None:
        return hit
    principal, version = load_principal(session, user_id)
    if principal is not None and version >= 0:
        cache.put(user_id, principal, version)
    return principal, version
