"""POS API: member look-up, registration at the till, wallet (SPEC §7)."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate
from sqlalchemy import or_

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.members.services import (
    NAME_MAX,
    create_member,
    escape_like,
    member_query,
    member_wallet,
    members_by_phone,
    pos_member,
    present_member,
    validate_phone,
)
from app.openapi import InputSchema
from app.security import caller_store_id, current_staff, scoped_store_id

SEARCH_LIMIT = 20


class MemberIn(InputSchema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=11))
    name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX))


class MemberQuery(Schema):
    phone = fields.String(metadata={"description": "exact phone: any member of the merchant"})
    q = fields.String(metadata={"description": "member no or name fragment (own store); one Chinese "
                                               "character finds names starting with it (a surname)"})


class MemberOut(Schema):
    """A member as the POS sees it (``present_member``; plugins may mask or add fields)."""

    class Meta:
        unknown = INCLUDE

    id = fields.Integer(required=True)
    member_no = fields.String(required=True)
    phone = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, allow_none=True)
    home_store = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    available = fields.Boolean(required=True)


class WalletOut(Schema):
    """Core balances; each payment method adds a list under its own wallet key."""

    class Meta:
        unknown = INCLUDE

    member_id = fields.Integer(required=True)
    stored_value_fen = fields.Integer(required=True)
    points = fields.Integer(required=True)


def is_cjk(text: str) -> bool:
    """Whether ``text`` is made of CJK ideographs only (a surname: 陈, 欧阳)."""
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def search_criterion(q: str):
    """One CJK character is a surname: the name starts with it (a prefix match, not a scan for
    the character anywhere).  Longer text matches a fragment of the member no or the name."""
    if len(q) == 1:
        return Member.name.like(f"{escape_like(q)}%", escape="\\")
    pattern = f"%{escape_like(q)}%"
    return or_(Member.member_no.like(pattern, escape="\\"), Member.name.like(pattern, escape="\\"))


class PosMembersApi(RetailApi):
    route_base = "/api/v1/pos"
    resource_name = "pos-members"
    class_permission_name = "PosMembers"
    method_permission_name = {"find_members": "read", "add_member": "write", "wallet": "read"}
    openapi_spec_tag = "POS members"

    @expose("/members", methods=["GET"])
    @protect()
    @read_only
    def find_members(self):
        """Find members by exact phone (any store) or by member no / name fragment (own store).
        ---
        get:
          parameters:
          - {in: query, schema: MemberQuery}
          responses:
            200:
              description: the members found (at most 20 for a search)
              x-results: MemberOut
              links:
                wallet:
                  operationId: PosMembersApi_wallet
                  parameters: {member_id: $response.body#/result/0/id}
          x-error-codes: [INVALID_PHONE, QUERY_TOO_SHORT, QUERY_REQUIRED]
        """
        viewer = acting_user()
        args = MemberQuery().load(request.args.to_dict(), unknown=EXCLUDE)
        phone, q = args.get("phone"), args.get("q")
        if phone is not None:
            validate_phone(phone.strip())
            members = members_by_phone(viewer, "api", phone.strip())
            result = [present_member(m, viewer, "api") for m in members]
            return self.response(200, count=len(result), result=result)
        if q is not None:
            q = q.strip()
            if not (2 <= len(q) <= 50 or (len(q) == 1 and is_cjk(q))):
                raise DomainError(
                    "QUERY_TOO_SHORT", _l("Search with one Chinese character or 2 to 50 characters.")
                )
            query = member_query(viewer, "search", text=q).where(search_criterion(q))
            members = db.session.scalars(query.order_by(Member.id).limit(SEARCH_LIMIT)).all()
            result = [present_member(m, viewer, "search") for m in members]
            return self.response(200, count=len(result), result=result)
        raise DomainError("QUERY_REQUIRED", _l("Give a phone number or a search text."))

    @expose("/members", methods=["POST"])
    @protect()
    @idempotent
    def add_member(self):
        """Register a member at the caller's store (inactive until activated).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: MemberIn
          responses:
            201:
              description: the new member
              x-result: MemberOut
              links:
                wallet:
                  operationId: PosMembersApi_wallet
                  parameters: {member_id: $response.body#/result/id}
          x-error-codes: [STORE_REQUIRED, MEMBER_PHONE_EXISTS, INVALID_PHONE, INVALID_NAME]
        """
        data = json_body(MemberIn())
        store_id = caller_store_id()
        staff = current_staff()
        member = create_member(
            data["phone"],
            data["name"],
            store_id,
            developer_staff_id=staff.id if staff else None,
            channel="pos",
            user=acting_user(),
        )
        return self.response(201, result=present_member(member, acting_user(), "api"))

    @expose("/members/<int:member_id>/wallet", methods=["GET"])
    @protect()
    @read_only
    def wallet(self, member_id: int):
        """Stored value, points and, per plugin tender with a wallet list, what the member can pay with.
        ---
        get:
          responses:
            200:
              description: stored value, points and a list per payment method's wallet key
              x-result: WalletOut
          x-error-codes: [NOT_FOUND, MEMBER_REFUSALS]
        """
        store_id = scoped_store_id()
        member = pos_member(acting_user(), member_id, store_id, "wallet")
        return self.response(200, result=member_wallet(member, store_id))
