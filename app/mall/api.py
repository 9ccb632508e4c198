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
from app.openapi import InputSchema


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

    wrapper.retail_member_only = True  # the spec's security: a member token
    return wrapper


class MallApi(RetailApi):
    """Base of mall APIs: no FAB permissions; endpoints use ``@member_required``."""

    method_permission_name = {}
    allow_browser_login = False


class PhoneIn(InputSchema):
    phone = fields.String(required=True)


class LoginIn(InputSchema):
    phone = fields.String(required=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=16))


class CodeSentOut(Schema):
    sent = fields.Boolean(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class MemberTokenOut(Schema):
    token = fields.String(required=True, metadata={"description": "send as Authorization: Bearer <token>"})
    member_id = fields.Integer(required=True)


class MemberProfileOut(Schema):
    id = fields.Integer(required=True)
    member_no = fields.String(required=True)
    phone = fields.String(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True, allow_none=True)
    birthday = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    level = fields.String(required=True, allow_none=True)
    level_code = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    home_store = fields.String(required=True, allow_none=True)
    home_store_code = fields.String(required=True, allow_none=True)


class MallStoreOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    address = fields.String(required=True, allow_none=True)


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
          requestBody:
            required: true
            content:
              application/json:
                schema: PhoneIn
          responses:
            200:
              description: the code was sent
              x-result: CodeSentOut
          x-error-codes: [INVALID_PHONE, MALL_CODE_TOO_FREQUENT]
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
          requestBody:
            required: true
            content:
              application/json:
                schema: LoginIn
          responses:
            200:
              description: the member token
              x-result: MemberTokenOut
          x-error-codes: [MALL_CODE_INVALID, MEMBER_FROZEN, INVALID_PHONE]
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
              description: the profile (never masked)
              x-result: MemberProfileOut
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
              description: the stores
              x-results: MallStoreOut
        """
        result = [
            {"code": s.code, "name": s.name, "phone": s.phone, "address": s.address}
            for s in mall_stores(g.member)
        ]
        return self.response(200, count=len(result), result=result)
