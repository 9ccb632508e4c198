"""POS API: stored-value recharge (SPEC §7)."""

from __future__ import annotations

from flask_appbuilder.api import expose
from marshmallow import Schema, fields, validate

from app.actor import acting_user
from app.api import MAX_ID, RetailApi, idempotent, json_body, protect
from app.loyalty.services import recharge_stored_value
from app.members.services import pos_member
from app.openapi import InputSchema
from app.security import caller_store_id, current_staff


class RechargeIn(InputSchema):
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    amount_fen = fields.Integer(required=True, strict=True)  # range checked by the service (INVALID_AMOUNT)


class RechargeOut(Schema):
    member_id = fields.Integer(required=True)
    amount_fen = fields.Integer(required=True)
    balance_fen = fields.Integer(required=True)
    txn_no = fields.String(required=True)


class PosStoredValueApi(RetailApi):
    route_base = "/api/v1/pos"
    resource_name = "pos-stored-value"
    class_permission_name = "PosStoredValue"
    method_permission_name = {"recharge": "write"}
    openapi_spec_tag = "POS stored value"

    @expose("/stored-value/recharge", methods=["POST"])
    @protect()
    @idempotent
    def recharge(self):
        """Recharge a member's stored value at the caller's store (SMS notice sent).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: RechargeIn
          responses:
            201:
              description: the new balance and the ledger entry
              x-result: RechargeOut
          x-error-codes: [STORE_REQUIRED, NOT_FOUND, MEMBER_REFUSALS, MEMBER_FROZEN, INVALID_AMOUNT]
        """
        data = json_body(RechargeIn())
        store_id = caller_store_id()
        user = acting_user()
        pos_member(user, data["member_id"], store_id, "stored_value")
        staff = current_staff()
        txn = recharge_stored_value(
            data["member_id"], data["amount_fen"], store_id, staff.id if staff else None, user=user
        )
        return self.response(
            201,
            result={
                "member_id": txn.member_id,
                "amount_fen": txn.amount_fen,
                "balance_fen": txn.balance_after_fen,
                "txn_no": txn.txn_no,
            },
        )
