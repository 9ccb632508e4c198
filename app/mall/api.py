"""Mall (member-facing) API: login by SMS code, the member token, and the base of
every mall endpoint (core and plugins).

Mall endpoints are called by members, not staff: they carry no FAB permission
and are not guarded by FAB's ``@protect``.  Subclass ``MallApi`` and decorate
each endpoint with ``@member_required``; it accepts only a member token
(``Authorization: Bearer <token>`` from ``POST /api/v1/mall/login``) and puts
the member in ``g.member``.  Staff JWTs are refused there, and member tokens
are refused by staff endpoints.  A plugin's mall API sets its own
``route_base`` under ``/api/v1/mall/`` (e.g. ``/api/v1/mall/points``).
"""

from __future__ import annotations

import functools

from flask import g, request
from flask_appbuilder.api import expose
from marshmallow import Schema, fields, validate

from app.api import RetailApi, http_error, json_body, read_only
from app.extensions import db
from app.mall.services import (
    issue_member_token,
    mall_stores,
    member_frozen,
    member_id_from_token,
    request_login_code,
    verify_login_code,
)
from app.members.models import Member


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def member_required(view):
    """Allow only a valid member token; load the member into ``g.member``.

    401 UNAUTHORIZED when the token is missing, invalid or expired (or the
    member is gone); 403 MEMBER_FROZEN when the member is frozen.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _bearer_token()
        member_id = member_id_from_token(token) if token else None
        member = db.session.get(Member, member_id) if member_id is not None else None
        if member is None:
            raise http_error(401)
        if member.status == "frozen":
            raise member_frozen()
        g.member = member
        return view(*args, **kwargs)

    return wrapper


class MallApi(RetailApi):
    """Base of mall APIs: no FAB permissions; endpoints use ``@member_required``."""

    method_permission_name = {}
    allow_browser_login = False


class PhoneIn(Schema):
    phone = fields.String(required=True)


class LoginIn(Schema):
    phone = fields.String(required=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=16))


def member_profile(member: Member) -> dict:
    """The member's own profile: never masked (it is their own data)."""
    store = member.home_store
    level = member.level
    return {
        "id": member.id,
        "member_no": member.member_no,
        "phone": member.phone,
        "name": member.name,
        "gender": member.gender,
        "birthday": member.birthday.isoformat() if member.birthday else None,
        "level": level.name if level else None,
        "level_code": level.code if level else None,
        "status": member.status,
        "home_store": store.name if store else None,
        "home_store_code": store.code if store else None,
    }


class MallAuthApi(MallApi):
    resource_name = "mall"
    openapi_spec_tag = "Mall"

    @expose("/login/code", methods=["POST"])
    def login_code(self):
        """Send a one-time login code by SMS.
        ---
        post:
          summary: Send a login code to a mainland mobile number
          responses:
            200:
              description: "{result: {sent: true, expires_in: 300}}"
            422:
              description: INVALID_PHONE or VALIDATION_ERROR
            429:
              description: MALL_CODE_TOO_FREQUENT
        """
        data = json_body(PhoneIn())
        expires_in = request_login_code(data["phone"])
        return self.response(200, result={"sent": True, "expires_in": expires_in})

    @expose("/login", methods=["POST"])
    def login(self):
        """Log a member in with phone + code; creates the member on first login.
        ---
        post:
          summary: Exchange a login code for a member token
          responses:
            200:
              description: "{result: {token, member_id}}"
            400:
              description: MALL_CODE_INVALID
            403:
              description: MEMBER_FROZEN
            422:
              description: INVALID_PHONE or VALIDATION_ERROR
        """
        data = json_body(LoginIn())
        member = verify_login_code(data["phone"], data["code"])
        return self.response(
            200, result={"token": issue_member_token(member), "member_id": member.id}
        )

    @expose("/me", methods=["GET"])
    @member_required
    @read_only
    def me(self):
        """The logged-in member's own profile.
        ---
        get:
          summary: The member's own profile (member token required)
          responses:
            200:
              description: "{result: {member_no, phone, name, level, status, home_store, ...}}"
            401:
              description: UNAUTHORIZED
            403:
              description: MEMBER_FROZEN
        """
        return self.response(200, result=member_profile(g.member))

    @expose("/stores", methods=["GET"])
    @member_required
    @read_only
    def stores(self):
        """The stores the logged-in member may visit (plugins may narrow the list).
        ---
        get:
          summary: Stores open to the member (member token required)
          responses:
            200:
              description: "{count, result: [{code, name, phone, address}]}"
            401:
              description: UNAUTHORIZED
        """
        result = [
            {"code": s.code, "name": s.name, "phone": s.phone, "address": s.address}
            for s in mall_stores(g.member)
        ]
        return self.response(200, count=len(result), result=result)
