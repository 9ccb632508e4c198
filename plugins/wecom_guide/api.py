"""The guide workbench's JSON API: ``/api/v1/guide/...`` (Guide role; own members only).

A guide asking for a member who is not theirs -- another guide's, a pool member, an unknown
id -- gets ``404 NOT_FOUND`` on every endpoint (the pool has its own endpoints). The mobile
page (``views.GuideWorkbenchView``) calls it with the browser session and its CSRF token;
an app in WeCom may call it with a bearer token.
"""

from __future__ import annotations

from flask import request, send_file
from flask_appbuilder.api import expose
from marshmallow import EXCLUDE, Schema, fields, validate

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.openapi import InputSchema
from plugins.wecom_guide import records
from plugins.wecom_guide.workbench import (
    SORTS,
    MemberSearch,
    caller_guide,
    in_pool,
    member_360,
    my_member,
    my_members,
    not_found,
    pool_members,
)

MEMBER_STATUSES = ("inactive", "active", "frozen")


class GuideSearchQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=32))
    tag_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    level_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    status = fields.String(load_default=None, validate=validate.OneOf(MEMBER_STATUSES))
    spend_min_fen = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10**12))
    spend_max_fen = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10**12))
    last_purchase_from = fields.Date(load_default=None)
    last_purchase_to = fields.Date(load_default=None)
    sort = fields.String(load_default="since", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class GuideMemberOut(Schema):
    id = fields.Integer(required=True)
    member_no = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "masked when a privacy plugin says so"})
    name = fields.String(required=True)
    level = fields.String(allow_none=True)
    status = fields.String(required=True)
    paid_total_fen = fields.Integer(required=True)
    tags = fields.List(fields.String())
    last_purchase = fields.String(allow_none=True)
    since = fields.String(allow_none=True, metadata={"description": "when the member became the guide's"})


class GuideMemberPageOut(Schema):
    total = fields.Integer(required=True, allow_none=True,
                           metadata={"description": "how many members the guide has (the plain list only)"})
    page = fields.Integer(required=True)
    has_more = fields.Boolean(required=True)
    members = fields.List(fields.Nested(GuideMemberOut), required=True)


class Member360Out(Schema):
    id = fields.Integer(required=True)
    member_no = fields.String(required=True)
    phone = fields.String(required=True)
    phone_masked = fields.Boolean(required=True, metadata={"description": "true: no call/copy offered"})
    name = fields.String(required=True)
    level = fields.String(allow_none=True)
    points = fields.Integer(required=True)
    stored_value_fen = fields.Integer(required=True)
    orders = fields.List(fields.Dict(), required=True)
    coupons = fields.List(fields.Dict(), required=True)
    tags = fields.List(fields.Dict(), required=True)
    visits = fields.List(fields.Dict(), required=True)
    fittings = fields.List(fields.Dict(), required=True)
    album = fields.List(fields.Dict(), required=True)


class GuideMeOut(Schema):
    staff_id = fields.Integer(required=True)
    name = fields.String(required=True)
    store_id = fields.Integer(required=True)
    qr_code = fields.String(allow_none=True, metadata={"description": "the guide's WeCom contact-me QR"})
    qr_notice = fields.String(allow_none=True, metadata={"description": "shown when there is no QR"})
    tags = fields.List(fields.Dict(), required=True)
    levels = fields.List(fields.Dict(), required=True)
    visit_methods = fields.List(fields.Dict(), required=True)


class ClaimedOut(Schema):
    member_id = fields.Integer(required=True)
    claimed = fields.Boolean(required=True)


class VisitIn(InputSchema):
    method = fields.String(required=True, validate=validate.OneOf(records.VISIT_METHOD_CODES))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class FittingIn(InputSchema):
    item = fields.String(required=True, validate=validate.Length(min=1, max=100))
    size = fields.String(load_default="", validate=validate.Length(max=20))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class TagIn(InputSchema):
    tag_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    selected = fields.Boolean(load_default=True)


class PhotoIn(InputSchema):
    data = fields.String(required=True, validate=validate.Length(min=1, max=1_000_000),
                         metadata={"description": "the image file, base64"})
    caption = fields.String(load_default="", validate=validate.Length(max=100))


class CouponIn(InputSchema):
    rule_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class SentCouponOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    valid_to = fields.String(allow_none=True)


class EmptyIn(InputSchema):
    pass


class MaterialGroupOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    items = fields.List(fields.Dict(), required=True)


class ForwardedOut(Schema):
    forwarded = fields.Integer(required=True)


class GuideTaskOut(Schema):
    task_id = fields.Integer(required=True)
    title = fields.String(required=True)
    content = fields.String(required=True)
    material = fields.Dict(allow_none=True)
    deadline = fields.String(allow_none=True)
    target_count = fields.Integer(required=True)
    forwarded_count = fields.Integer(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)


class DoneOut(Schema):
    task_id = fields.Integer(required=True)
    status = fields.String(required=True)


class RecordOut(Schema):
    id = fields.Integer(required=True)


class TagsOut(Schema):
    tags = fields.List(fields.String(), required=True)


def _search() -> MemberSearch:
    args = GuideSearchQuery().load(request.args.to_dict(), unknown=EXCLUDE)
    return MemberSearch(**args)


class GuideApi(RetailApi):
    route_base = "/api/v1/guide"
    resource_name = "guide"
    class_permission_name = "GuideWorkbench"
    openapi_spec_tag = "Guide workbench"
    method_permission_name = {
        "me": "read", "members": "read", "pool": "read", "claim": "write", "member": "read",
        "add_visit": "write", "add_fitting": "write", "set_tag": "write", "add_photo": "write",
        "photo": "read", "send_coupon": "write", "materials": "read", "forward_material": "write",
        "tasks": "read", "forward_task": "write", "task_done": "write",
    }

    @expose("/me", methods=["GET"])
    @protect()
    @read_only
    def me(self):
        """The calling guide: name, store, guide code (WeCom QR) and the pick lists.
        ---
        get:
          responses:
            200:
              description: the guide
              x-result: GuideMeOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        return self.response(200, result=records.guide_profile(staff))

    @expose("/members", methods=["GET"])
    @protect()
    @read_only
    def members(self):
        """My members: search by phone (or its last digits), member no / card no; filters by tag,
        level, status, total spend (fen), last purchase date; sorting; pages.
        ---
        get:
          parameters:
          - {in: query, schema: GuideSearchQuery}
          responses:
            200:
              description: a page of the guide's members
              x-result: GuideMemberPageOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        search = _search()
        return self.response(200, result=my_members(acting_user(), staff, search))

    @expose("/pool", methods=["GET"])
    @protect()
    @read_only
    def pool(self):
        """The unclaimed members of the guide's store (待认领), same search and filters.
        ---
        get:
          parameters:
          - {in: query, schema: GuideSearchQuery}
          responses:
            200:
              description: a page of unclaimed members
              x-result: GuideMemberPageOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        search = _search()
        return self.response(200, result=pool_members(acting_user(), staff, search))

    @expose("/pool/<int:member_id>/claim", methods=["POST"])
    @protect()
    @idempotent
    def claim(self, member_id: int):
        """Claim an unclaimed member: of guides racing for one member exactly one wins.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: EmptyIn
          responses:
            200:
              description: the member is now the guide's
              x-result: ClaimedOut
          x-error-codes: [GUIDE_REQUIRED, MEMBER_ALREADY_CLAIMED]
        """
        from plugins.wecom_guide.ownership import claim_member

        staff = caller_guide()
        json_body(EmptyIn())
        if not in_pool(acting_user(), staff, member_id):
            if records.owns(staff, member_id):
                raise records.already_claimed()
            raise not_found()
        claim_member(member_id, staff, acting_user())
        return self.response(200, result={"member_id": member_id, "claimed": True})

    @expose("/members/<int:member_id>", methods=["GET"])
    @protect()
    @read_only
    def member(self, member_id: int):
        """Member 360: level, points, stored value, orders with lines, coupons, tags, visits,
        fittings, album.
        ---
        get:
          responses:
            200:
              description: everything the guide may see of their member
              x-result: Member360Out
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        viewer = acting_user()
        return self.response(200, result=member_360(viewer, staff, my_member(viewer, staff, member_id)))

    @expose("/members/<int:member_id>/visits", methods=["POST"])
    @protect()
    @idempotent
    def add_visit(self, member_id: int):
        """Add a visit record (回访) with its method.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: VisitIn
          responses:
            201:
              description: the record
              x-result: RecordOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        member = my_member(acting_user(), staff, member_id)
        data = json_body(VisitIn())
        visit = records.add_visit(member.id, staff, data["method"], data["note"])
        return self.response(201, result={"id": visit.id})

    @expose("/members/<int:member_id>/fittings", methods=["POST"])
    @protect()
    @idempotent
    def add_fitting(self, member_id: int):
        """Add a fitting record (试穿记录).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: FittingIn
          responses:
            201:
              description: the record
              x-result: RecordOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        member = my_member(acting_user(), staff, member_id)
        data = json_body(FittingIn())
        fitting = records.add_fitting(member.id, staff, data["item"], data["size"], data["note"])
        return self.response(201, result={"id": fitting.id})

    @expose("/members/<int:member_id>/tags", methods=["POST"])
    @protect()
    def set_tag(self, member_id: int):
        """Give the member a tag (``selected`` false: take it away); HQ keeps the tag list.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: TagIn
          responses:
            200:
              description: the member's tags now
              x-result: TagsOut
          x-error-codes: [GUIDE_REQUIRED, TAG_NOT_FOUND]
        """
        staff = caller_guide()
        member = my_member(acting_user(), staff, member_id)
        data = json_body(TagIn())
        tags = records.set_tag(member, data["tag_id"], data["selected"], acting_user())
        return self.response(200, result={"tags": tags})

    @expose("/members/<int:member_id>/photos", methods=["POST"])
    @protect()
    def add_photo(self, member_id: int):
        """Add an album image (base64 in ``data``; JPEG, PNG, GIF or WebP, decided by the content;
        at most the ``wecom_guide.photo_max_kb`` setting), stored under the instance folder.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: PhotoIn
          responses:
            201:
              description: the stored image
              x-result: RecordOut
          x-error-codes: [GUIDE_REQUIRED, PHOTO_TYPE_NOT_ALLOWED, PHOTO_TOO_LARGE]
        """
        staff = caller_guide()
        member = my_member(acting_user(), staff, member_id)
        data = json_body(PhotoIn())
        photo = records.add_photo(member.id, staff, data["data"], data["caption"])
        return self.response(201, result={"id": photo.id})

    @expose("/photos/<int:photo_id>", methods=["GET"])
    @protect()
    @read_only
    def photo(self, photo_id: int):
        """An album image of one of the guide's members.
        ---
        get:
          responses:
            200:
              description: the image
              content:
                image/*: {}
          x-error-codes: [GUIDE_REQUIRED]
        """
        staff = caller_guide()
        photo = records.own_photo(acting_user(), staff, photo_id)
        response = send_file(records.photo_path(photo), mimetype=photo.content_type, max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @expose("/members/<int:member_id>/coupons", methods=["POST"])
    @protect()
    @idempotent
    def send_coupon(self, member_id: int):
        """Send the member an electronic coupon (through the coupons plugin's service; its limits
        and checks apply). Send an Idempotency-Key: a retry sends nothing twice.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: CouponIn
          responses:
            201:
              description: the coupon sent
              x-result: SentCouponOut
          x-error-codes: [GUIDE_REQUIRED, COUPON_RULE_NOT_FOUND, COUPON_RULE_NOT_AUDITED,
            COUPON_RULE_DISABLED, COUPON_RULE_EXPIRED, COUPON_RULE_NOT_ELECTRONIC, COUPON_LIMIT_REACHED,
            COUPON_SOLD_OUT]
        """
        staff = caller_guide()
        member = my_member(acting_user(), staff, member_id)
        data = json_body(CouponIn())
        return self.response(201, result=records.send_coupon(member, data["rule_id"], staff, acting_user()))

    @expose("/materials", methods=["GET"])
    @protect()
    @read_only
    def materials(self):
        """The chat materials library: groups with their text, image and link items.
        ---
        get:
          responses:
            200:
              description: the groups that have items
              x-results: MaterialGroupOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        from plugins.wecom_guide.tasks import material_library

        caller_guide()
        groups = material_library()
        return self.response(200, count=len(groups), result=groups)

    @expose("/materials/<int:material_id>/forward", methods=["POST"])
    @protect()
    def forward_material(self, material_id: int):
        """Count one forward of a material (the guide copied it into a WeCom chat).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: EmptyIn
          responses:
            200:
              description: how often the material was forwarded
              x-result: ForwardedOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        from plugins.wecom_guide.tasks import forward_material

        caller_guide()
        json_body(EmptyIn())
        return self.response(200, result={"forwarded": forward_material(material_id)})

    @expose("/tasks", methods=["GET"])
    @protect()
    @read_only
    def tasks(self):
        """The guide's open tasks with their counts.
        ---
        get:
          responses:
            200:
              description: the tasks
              x-results: GuideTaskOut
          x-error-codes: [GUIDE_REQUIRED]
        """
        from plugins.wecom_guide.tasks import my_assignments

        result = my_assignments(caller_guide())
        return self.response(200, count=len(result), result=result)

    @expose("/tasks/<int:task_id>/forward", methods=["POST"])
    @protect()
    def forward_task(self, task_id: int):
        """Forward the task to the guide's target members (each member once).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: EmptyIn
          responses:
            200:
              description: how many members have the task now
              x-result: ForwardedOut
          x-error-codes: [GUIDE_REQUIRED, TASK_CLOSED]
        """
        from plugins.wecom_guide.tasks import forward_task

        staff = caller_guide()
        json_body(EmptyIn())
        return self.response(200, result={"forwarded": forward_task(task_id, staff)})

    @expose("/tasks/<int:task_id>/done", methods=["POST"])
    @protect()
    def task_done(self, task_id: int):
        """Mark the task done for this guide.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: EmptyIn
          responses:
            200:
              description: done
              x-result: DoneOut
          x-error-codes: [GUIDE_REQUIRED, TASK_CLOSED]
        """
        from plugins.wecom_guide.tasks import mark_done

        staff = caller_guide()
        json_body(EmptyIn())
        mark_done(task_id, staff)
        return self.response(200, result={"task_id": task_id, "status": "done"})
