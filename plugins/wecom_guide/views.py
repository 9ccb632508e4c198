"""Pages of the wecom_guide plugin: the guide's mobile workbench (a page of its own on the
``guide/...`` API), the member's activation page (public, signed link).

Admin pages for HQ and store managers (ownership, tasks, materials) are in ``admin.py``.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.formatting import EMPTY

TEMPLATES = str(Path(__file__).resolve().parent / "templates")


def _lang() -> str:
    return "zh-CN" if str(get_locale()) == "zh" else "en"


def workbench_texts() -> dict[str, str]:
    """Every text the workbench's script shows, in the viewer's language."""
    texts = {
        "my_members": _l("My members"),
        "pool": _l("Unclaimed"),
        "materials": _l("Materials"),
        "tasks": _l("Tasks"),
        "guide_code": _l("Guide code"),
        "search": _l("Phone, member no or card no"),
        "find": _l("Search"),
        "filters": _l("Filters"),
        "any_tag": _l("Any tag"),
        "any_level": _l("Any level"),
        "any_status": _l("Any status"),
        "inactive": _l("Inactive"),
        "active": _l("Activated"),
        "frozen": _l("Frozen"),
        "spend_min": _l("Total spend from (yuan)"),
        "spend_max": _l("Total spend to (yuan)"),
        "last_from": _l("Last purchase from"),
        "last_to": _l("Last purchase to"),
        "sort": _l("Sort"),
        "sort_since": _l("Newest of mine"),
        "sort_spend": _l("Spend, highest first"),
        "sort_spend_asc": _l("Spend, lowest first"),
        "sort_last_purchase": _l("Last purchase"),
        "sort_joined": _l("Newest members"),
        "sort_member_no": _l("Member no"),
        "claim": _l("Claim"),
        "claimed": _l("Claimed: the member is yours now."),
        "none": _l("No members."),
        "more": _l("More"),
        "back": _l("Back"),
        "level": _l("Level"),
        "points": _l("Points"),
        "stored_value": _l("Stored value (yuan)"),
        "total_spend": _l("Total spend (yuan)"),
        "last_purchase": _l("Last purchase"),
        "call": _l("Call"),
        "copy": _l("Copy phone"),
        "copied": _l("Copied."),
        "masked": _l("The phone number is masked: call through the store."),
        "orders": _l("Orders"),
        "coupons": _l("Coupons"),
        "tags": _l("Tags"),
        "visits": _l("Visit records"),
        "fittings": _l("Fitting records"),
        "album": _l("Album"),
        "add_visit": _l("Add visit record"),
        "method": _l("Method"),
        "note": _l("Note"),
        "save": _l("Save"),
        "item": _l("Item tried on"),
        "size": _l("Size"),
        "add_fitting": _l("Add fitting record"),
        "upload": _l("Add image"),
        "caption": _l("Caption"),
        "send_coupon": _l("Send a coupon"),
        "send": _l("Send"),
        "sent": _l("Sent."),
        "done": _l("Mark done"),
        "forward": _l("Forward to members"),
        "forwarded": _l("Forwarded"),
        "deadline": _l("Deadline"),
        "targets": _l("Members"),
        "copy_text": _l("Copy text"),
        "no_qr": _l("Ask your admin to set your WeCom QR."),
        "scan": _l("Customers scan this code to add you on WeCom."),
        "error": _l("Something went wrong."),
        "saved": _l("Saved."),
        "status": _l("Status"),
        "empty": EMPTY,
        "page": _l("Page"),
    }
    return {key: str(value) for key, value in texts.items()}


class GuideWorkbenchView(BaseView):
    """The guide's mobile workbench: one page (375 px wide and up) driving ``/api/v1/guide``."""

    route_base = "/guide"
    class_permission_name = "GuideWorkbench"
    method_permission_name = {"workbench": "read"}
    template_folder = TEMPLATES
    default_view = "workbench"

    @expose("/")
    @has_access
    def workbench(self):
        from plugins.wecom_guide.workbench import caller_guide

        try:
            staff = caller_guide()
        except DomainError:
            staff = None
        return self.render_template(
            "wecom_guide/workbench.html",
            html_lang=_lang(),
            texts=workbench_texts(),
            guide_name=staff.name if staff is not None else "",
            is_guide=staff is not None,
            not_guide=str(_l("This needs an active guide account bound to a store.")),
        )


class ActivationView(BaseView):
    """``/wecom-guide/activate/<token>``: the member's activation page (no login: the signed
    link is the proof). GET shows the member number and a button; the POST activates."""

    route_base = "/wecom-guide"
    template_folder = TEMPLATES
    default_view = "activate"

    def _member(self, token: str):
        from plugins.wecom_guide.activation import member_for_token

        try:
            return member_for_token(token)
        except DomainError:
            abort(404)

    @expose("/activate/<string:token>", methods=["GET"])
    def activate(self, token):
        member = self._member(token)
        return self.render_template(
            "wecom_guide/activate.html",
            html_lang=_lang(),
            member_no=member.member_no,
            status=member.status,
            activated=False,
        )

    @expose("/activate/<string:token>", methods=["POST"])
    def confirm(self, token):
        from plugins.wecom_guide.activation import activate_member

        member = self._member(token)
        activate_member(member.id, "link")
        return self.render_template(
            "wecom_guide/activate.html",
            html_lang=_lang(),
            member_no=member.member_no,
            status="active" if member.status != "frozen" else "frozen",
            activated=True,
        )
