"""HQ correction of a member's stored value or points (调整), with a mandatory reason."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from app.actor import acting_user
from app.admin import check_csrf
from app.errors import DomainError
from app.extensions import db
from app.formatting import yuan
from app.loyalty.services import adjust_balance, parse_adjustment, points_balance, stored_value_balance
from app.members.models import Member
from app.members.services import member_query

ERROR_FIELDS = {"INVALID_AMOUNT": "amount", "REASON_REQUIRED": "reason"}


class BalanceAdjustmentView(BaseView):
    route_base = "/balance-adjustment"
    class_permission_name = "BalanceAdjustment"
    method_permission_name = {"form": "read", "submit": "write"}
    default_view = "form"

    def _render(self, member=None, values=None, errors=None):
        balances = None
        if member is not None:
            balances = {"stored_value": yuan(stored_value_balance(member.id)),
                        "points": points_balance(member.id)}
        return self.render_template("retail/balance_adjust.html", member=member, balances=balances,
                                    values=values or {}, errors=errors or {}, title=_l("Adjust balance"))

    def _find(self, text: str):
        text = (text or "").strip()[:32]
        if not text:
            return None
        query = member_query(acting_user(), "list").where(
            or_(Member.phone == text, Member.member_no == text)
        )
        return db.session.scalars(query.limit(1)).first()

    @expose("/")
    @has_access
    def form(self):
        who = request.args.get("member", "")
        member = self._find(who)
        if who and member is None:
            flash(str(_l("No member with this phone or member number.")), "warning")
        return self._render(member, {"member": who})

    @expose("/", methods=["POST"])
    @has_access
    def submit(self):
        check_csrf()
        values = {k: request.form.get(k, "") for k in ("member", "ledger", "amount", "reason")}
        member = self._find(values["member"])
        if member is None:
            flash(str(_l("No member with this phone or member number.")), "danger")
            return self._render(None, values)
        try:
            delta = parse_adjustment(values["ledger"], values["amount"])
            txn = adjust_balance(member.id, values["ledger"], delta, values["reason"], user=acting_user())
        except DomainError as err:
            field = err.details.get("field") or ERROR_FIELDS.get(err.code)
            if field:  # beside the field, the form keeping what was typed
                return self._render(member, values, {field: str(err.message)})
            flash(str(err.message), "danger")
            return self._render(member, values)
        flash(str(_l("Adjusted: document %(doc)s.", doc=txn.doc_no)), "success")
        return redirect(url_for("BalanceAdjustmentView.form", member=member.member_no))
