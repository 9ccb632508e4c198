"""Roles, their grants, and the store-scope helpers every view, API and export uses.

Roles and grants are synced at ``db upgrade`` (never per worker start: workers
would race).  Store roles see and touch only their own store's rows: views use
``FilterStoreScope`` in ``base_filters``, APIs and exports call ``scope_to_store``.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import get_field_setup_query
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import create_access_token, create_refresh_token
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import and_, exists, false, or_, select

from app.actor import acting_user
from app.platform.caches import TimedEntry
from app.roles import ADMIN, CASHIER, GUIDE, HQ_ROLES, POS, PRODUCT_ROLES, SELF_SERVICE, STORE_MANAGER

# roles of accounts a store manager may manage (staff pages): never HQ, Admin or provider accounts
STORE_STAFF_ROLES = frozenset({STORE_MANAGER, CASHIER, GUIDE, POS})

# The OpenAPI spec and Swagger UI: readable by every logged-in user (never anonymous).
API_DOCS = [("can_get", "OpenApi"), ("can_show", "SwaggerView")]


def core_grants() -> dict[str, list[tuple[str, str]]]:
    """Self-service grants of every product role (the domains' grants come from their
    manifests through ``retail_role_grants``, like a plugin's)."""
    grants: dict[str, list[tuple[str, str]]] = {}
    for role in PRODUCT_ROLES:
        if role != ADMIN:
            grants.setdefault(role, []).extend(SELF_SERVICE + API_DOCS)
    return grants


def _allowed_provider(value: str) -> None:
    sm = current_app.appbuilder.sm
    allowed = {"db", "ldap"} if sm.api_login_allow_multiple_providers else {sm.auth_type_provider_name}
    if value not in allowed:
        raise ValidationError(str(_l("Unknown login provider.")))


class LoginBody(Schema):
    length = validate.Length(min=1, max=256, error=_l("Enter between 1 and 256 characters."))
    username = fields.String(required=True, validate=length)
    password = fields.String(required=True, validate=length)
    provider = fields.String(required=True, validate=_allowed_provider)
    refresh = fields.Boolean(load_default=False)


class SecurityApi(FabSecurityApi):
    """FAB's security API with our envelope: a missing or invalid field is a 422
    ``VALIDATION_ERROR``, a wrong password a localized 401 ``UNAUTHORIZED``; attempts are
    counted by the login limit (``app.ratelimit``) before this runs."""

    @expose("/login", methods=["POST"])
    def login(self):
        from app.api import json_body
        from app.errors import DomainError

        payload = json_body(LoginBody(), unknown=EXCLUDE)
        sm = self.appbuilder.sm
        check = sm.auth_user_db if payload["provider"] == "db" else sm.auth_user_ldap
        user = check(payload["username"], payload["password"])
        if not user:
            raise DomainError("UNAUTHORIZED", _l("Wrong user name or password."))
        answer = {"access_token": create_access_token(identity=str(user.id), fresh=True)}
        if payload["refresh"]:
            answer["refresh_token"] = create_refresh_token(identity=str(user.id))
        return self.response(200, **answer)

    login.__doc__ = FabSecurityApi.login.__doc__  # the OpenAPI operation


class RetailSecurityManager(SecurityManager):
    """FAB's security manager with per-worker permission caching and role sync.

    FAB checks a request's permission with ~8 queries (public role twice, user
    roles and groups, an EXISTS).  Here every role's permissions come from one
    query, kept per worker for ``PERMISSION_CACHE_SECONDS`` (0 = reload on each
    check): a role edited in the admin takes effect in every worker within
    that time.
    """

    _permission_cache: TimedEntry | None = None  # (grants by role id, public role id), per worker
    # FAB's "User's Statistics" chart loads Google Charts from the internet: not offered
    # (the home page dashboard draws its charts with the packaged Chart.js)
    userstatschartview = None
    security_api = SecurityApi

    @property
    def is_auth_limited(self) -> bool:
        """FAB's own login limit counts per worker: ``app.ratelimit`` counts logins instead."""
        return False

    def _role_permissions(self) -> tuple[dict[int, frozenset], int | None]:
        ttl = float(current_app.config.get("PERMISSION_CACHE_SECONDS", 10))
        if self._permission_cache is None:
            self._permission_cache = TimedEntry()
        cached = self._permission_cache.get(ttl)
        if cached is not None:
            return cached
        role, pv = self.role_model, self.permissionview_model
        rows = self.session.execute(
            select(role.id, role.name, self.permission_model.name, self.viewmenu_model.name)
            .select_from(role)
            .outerjoin(role.permissions)
            .outerjoin(self.permission_model, pv.permission_id == self.permission_model.id)
            .outerjoin(self.viewmenu_model, pv.view_menu_id == self.viewmenu_model.id)
        ).all()
        grants: dict[int, set] = {}
        public_id = None
        for role_id, role_name, permission, view_menu in rows:
            grants.setdefault(role_id, set())
            if permission is not None:
                grants[role_id].add((permission, view_menu))
            if role_name == self.auth_role_public:
                public_id = role_id
        frozen = {role_id: frozenset(pairs) for role_id, pairs in grants.items()}
        self._permission_cache.put((frozen, public_id))
        return frozen, public_id

    def clear_permission_cache(self) -> None:
        if self._permission_cache is not None:
            self._permission_cache.clear()

    def create_limiter(self, app):
        from flask_limiter.util import get_remote_address

        from app.ratelimit import LoginLimiter

        limiter = LoginLimiter(key_func=app.config.get("RATELIMIT_KEY_FUNC", get_remote_address))
        limiter.init_app(app)
        return limiter

    def create_jwt_manager(self, app):
        from app.platform.caches import VerifiedTokenCache

        jwt_manager = VerifiedTokenCache()
        jwt_manager.init_app(app)
        jwt_manager.user_lookup_loader(self.load_user_jwt)
        return jwt_manager

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The caller of an API request (bearer token) as a lightweight principal."""
        from app.principal import cached_principal

        try:
            user_id = int(jwt_data["sub"])
        except (KeyError, TypeError, ValueError):
            return None
        principal, version = cached_principal(current_app, self.session, user_id)
        if principal is None or not principal.is_active:
            return None
        g.user = principal
        g._config_version = version
        g.setdefault("_staff_by_user", {})[principal.id] = principal.staff
        return principal

    def get_user_by_id(self, pk):
        """The user with roles, groups and staff row in one query (admin sessions).

        FAB would lazy-load roles and groups separately, and the store scope
        then loads the staff row: four round trips on every admin page.
        """
        from sqlalchemy.orm import joinedload

        from app.platform.staff import Staff

        user_model, group_model = self.user_model, self.group_model
        row = self.session.execute(
            select(user_model, Staff)
            .outerjoin(Staff, Staff.user_id == user_model.id)
            .where(user_model.id == pk)
            .options(
                joinedload(user_model.roles),
                joinedload(user_model.groups).joinedload(group_model.roles),
            )
        ).unique().first()
        if row is None:
            return None
        user, staff = row
        if has_request_context():
            g.setdefault("_staff_by_user", {})[user.id] = staff
        return user

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        grants, _ = self._role_permissions()
        return any((permission_name, view_name) in grants.get(role_id, ()) for role_id in role_ids)

    def is_item_public(self, permission_name, view_name) -> bool:
        grants, public_id = self._role_permissions()
        return public_id is not None and (permission_name, view_name) in grants.get(public_id, ())

    def sync_roles(self, plugin_grants: dict[str, list[tuple[str, str]]]) -> None:
        """Create the product roles and set each one's grants to core + plugin grants.

        Admin gets every permission.  Grants naming an unknown permission are
        created, so a plugin's grant works before its view is first visited.
        """
        appbuilder = self.appbuilder
        if self.find_role(ADMIN) is None:
            self.add_role(ADMIN)  # FAB grants every new permission to Admin as it adds it
        appbuilder.add_permissions(update_perms=True)
        session = self.session
        for role_name in PRODUCT_ROLES:
            role = self.find_role(role_name) or self.add_role(role_name)
            if role_name == ADMIN:
                wanted = list(session.query(self.permissionview_model).all())
            else:
                pairs = core_grants().get(role_name, []) + plugin_grants.get(role_name, [])
                wanted = [self.add_permission_view_menu(p, v) for p, v in dict.fromkeys(pairs)]
            role.permissions = [pv for pv in wanted if pv is not None]
        self.add_role(self.auth_role_public)
        session.commit()
        self.clear_permission_cache()


def user_role_names(user=None) -> set[str]:
    user = user if user is not None else acting_user()
    if not getattr(user, "is_authenticated", False):
        return set()
    # kept per request: after a commit the user is expired and reading roles would reload them
    cache = g.setdefault("_roles_by_user", {}) if has_request_context() else {}
    names = cache.get(user.id)
    if names is None:
        names = cache[user.id] = frozenset(role.name for role in user.roles)
    return set(names)


def is_hq(user=None) -> bool:
    return bool(user_role_names(user) & HQ_ROLES)


def current_staff(user=None):
    """The staff row of ``user`` (default: the logged-in user), or None.

    An ORM ``Staff`` for admin sessions; for API callers the read-only
    ``app.principal.StaffRef`` loaded with the caller (``id``, ``user_id``,
    ``store_id``, ``employee_no``, ``name``, ``status``).
    """
    from app.extensions import db
    from app.platform.staff import Staff

    user = user if user is not None else acting_user()
    if not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("_staff_by_user", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = db.session.query(Staff).filter_by(user_id=user.id).one_or_none()
    return cache[user.id]


NO_STORE = 0  # store id no row has: a store role without a store sees nothing


def scoped_store_id(user=None) -> int | None:
    """None when ``user`` sees every store (HQ), else the one store id it may see."""
    if is_hq(user):
        return None
    staff = current_staff(user)
    if staff is None or staff.status != "active" or staff.store_id is None:
        return NO_STORE
    return staff.store_id


STORE_REFUSALS = {
    "STORE_REQUIRED": _l("This needs an account bound to a store."),
    "STORE_ACCOUNT_REQUIRED": _l("This account is not bound to a store."),  # selling
}


def caller_store_id(refusal: str = "STORE_REQUIRED") -> int:
    """The store of the calling POS/staff account (the one helper every API uses); an HQ
    account has none and is refused with ``refusal`` (403)."""
    from app.errors import DomainError

    store_id = scoped_store_id()
    if store_id in (None, NO_STORE):
        raise DomainError(refusal, STORE_REFUSALS[refusal])
    return store_id


def scope_to_store(query, column, user=None):
    """Restrict a SQLAlchemy query/select to the caller's store."""
    store_id = scoped_store_id(user)
    if store_id is None:
        return query
    if store_id == NO_STORE:
        return query.filter(false())
    return query.filter(column == store_id)


def can_see_store(store_id, user=None) -> bool:
    scoped = scoped_store_id(user)
    return scoped is None or (scoped != NO_STORE and scoped == store_id)


class FilterStoreScope(BaseFilter):
    """FAB base filter: ``base_filters = [["store_id", FilterStoreScope, None]]``."""

    name = "Store scope"
    arg_name = None

    def apply(self, query, value):
        query, field = get_field_setup_query(query, self.model, self.column_name)
        return scope_to_store(query, field)


def can_manage_user(target, user=None) -> bool:
    """May the caller attach ``target`` (a FAB user) to a store, edit or deactivate it?

    HQ manages everyone.  A store role manages only accounts holding store roles alone
    that work in its own store or in no store yet: never an HQ, Admin or provider
    account, never a user of another store.
    """
    store_id = scoped_store_id(user)
    if store_id is None:
        return True
    if store_id == NO_STORE or target is None:
        return False
    if {role.name for role in target.roles} - STORE_STAFF_ROLES:
        return False
    from app.extensions import db
    from app.platform.staff import Staff

    staff = db.session.query(Staff).filter_by(user_id=target.id).one_or_none()
    return staff is None or staff.store_id == store_id


class FilterManageableUsers(BaseFilter):
    """FAB filter on the user model: only the users ``can_manage_user`` allows (dropdowns)."""

    name = "Manageable users"
    arg_name = None

    def apply(self, query, value):
        store_id = scoped_store_id()
        if store_id is None:
            return query
        if store_id == NO_STORE:
            return query.filter(false())
        from app.platform.staff import Staff

        user_model = self.model
        role_model = user_model.roles.property.mapper.class_
        elsewhere = exists().where(
            and_(Staff.user_id == user_model.id, or_(Staff.store_id.is_(None), Staff.store_id != store_id))
        )
        return query.filter(
            ~user_model.roles.any(role_model.name.notin_(STORE_STAFF_ROLES)), ~elsewhere
        )
