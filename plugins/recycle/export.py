"""Export of trade-in orders (F3.14): the filtered rows only, fixed mandatory columns plus the
columns the user picks, CSV or XLSX (``app.tabular_export``), streamed.

The rows are exactly what the viewer may see (``services.visible_orders``: HQ every order,
store staff their store's, a provider its own and those open for its bids) under the
filters given; no other scope is applied here.  A service provider gets the customer's phone
and name masked (``services.sees_customer_masked``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from app.actor import acting_user
from app.errors import DomainError
from app.extensions import db
from app.formatting import code_label, timestamp, yuan
from app.masking import mask_name, mask_phone
from app.members.models import Member
from app.org.models import Store
from app.platform.staff import Staff
from app.security import is_hq
from app.tabular_export import export_format, export_response
from plugins.recycle.models import MODES, STATES, RecycleOrder, RecycleProvider
from plugins.recycle.services import sees_customer_masked, visible_orders

TEMPLATES = str(Path(__file__).resolve().parent / "templates")
BATCH = 500

MAX_TEXT = 40


class Column:
    """An export column: the SQL expression read, how its value is shown, and how it is masked
    for a service provider (``private``: the customer's data)."""

    def __init__(self, key: str, label, expr, show: Callable[[object], object] = None,
                 private: Callable[[str | None], str | None] | None = None):
        self.key, self.label, self.expr, self.private = key, label, expr, private
        self.show = show or (lambda value: "" if value is None else value)

    def masked(self) -> Column:
        """This column with its values masked (for a service provider)."""
        return Column(self.key, self.label, self.expr, lambda value: self.show(self.private(value)))


def _time(value) -> str:
    return timestamp(value) if value is not None else ""


def _labelled(kind: str) -> Callable[[object], str]:
    shown: dict = {}  # per column: each code's label translated once, not once per row

    def show(value) -> str:
        if value not in shown:
            shown[value] = code_label(value, kind)
        return shown[value]

    return show


GUIDE = aliased(Staff)
PROVIDER = aliased(RecycleProvider)
STORE = aliased(Store)


def _columns() -> list[Column]:
    """The columns (built per export: the label caches are per request, in its language)."""
    return [
        # mandatory (always exported, in this order)
        Column("order_no", _l("Trade-in no."), RecycleOrder.order_no),
        Column("created_on", _l("Created on"), RecycleOrder.created_on, _time),
        Column("store", _l("Store"), STORE.name),
        Column("mode", _l("Mode"), RecycleOrder.mode, _labelled("recycle_mode")),
        Column("state", _l("Status"), RecycleOrder.state, _labelled("recycle_state")),
        Column("brand", _l("Brand"), RecycleOrder.brand),
        Column("model", _l("Model"), RecycleOrder.model),
        Column("imei", _l("IMEI"), RecycleOrder.imei),
        Column("quote", _l("Quote (yuan)"), RecycleOrder.quote_fen, yuan),
        # optional (picked by the user)
        Column("category", _l("Category"), RecycleOrder.category, _labelled("recycle_category")),
        Column("capacity", _l("Capacity"), RecycleOrder.capacity),
        Column("colour", _l("Colour"), RecycleOrder.colour),
        Column("serial_no", _l("Serial number"), RecycleOrder.serial_no),
        Column("customer_name", _l("Customer name"), RecycleOrder.customer_name, private=mask_name),
        Column("customer_phone", _l("Customer phone"), RecycleOrder.customer_phone, private=mask_phone),
        Column("guide", _l("Guide"), GUIDE.name),
        Column("provider", _l("Service provider"), PROVIDER.name),
        Column("settlement_method", _l("Settlement method"), RecycleOrder.settlement_method,
               _labelled("recycle_settlement")),
        Column("quoted_at", _l("Quoted on"), RecycleOrder.quoted_at, _time),
        Column("paid_at", _l("Paid on"), RecycleOrder.paid_at, _time),
        Column("completed_at", _l("Completed on"), RecycleOrder.completed_at, _time),
        Column("requote_count", _l("Re-quotes"), RecycleOrder.requote_count),
        Column("remark", _l("Remark"), RecycleOrder.remark),
    ]


COLUMNS = _columns()
MANDATORY = ("order_no", "created_on", "store", "mode", "state", "brand", "model", "imei", "quote")
BY_KEY = {column.key: column for column in COLUMNS}
FILTERS = ("state", "mode", "store_id", "date_from", "date_to", "q")


def optional_columns(viewer) -> list[Column]:
    """The columns ``viewer`` may add."""
    return [c for c in COLUMNS if c.key not in MANDATORY]


def chosen_columns(viewer, keys) -> list[Column]:
    """The mandatory columns, then the picked ones in the list's order; an unknown (or, for
    this viewer, forbidden) key is refused."""
    allowed = {c.key for c in optional_columns(viewer)}
    picked = {key for key in keys if key and key not in MANDATORY}
    unknown = picked - allowed
    if unknown:
        raise DomainError("RECYCLE_EXPORT_FIELD_INVALID", _l("Unknown export field."), field="fields",
                          fields_unknown=sorted(unknown))
    masked = sees_customer_masked(viewer)
    chosen = [c for c in _columns() if c.key in MANDATORY or c.key in picked]
    return [c.masked() if masked and c.private else c for c in chosen]


def _invalid(name: str) -> DomainError:
    return DomainError("VALIDATION_ERROR", _l("Some fields are invalid."),
                       fields={name: [str(_l("Not a valid value."))]})


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(name) from None


def filtered_query(viewer, args: Mapping[str, str]):
    """``visible_orders(viewer)`` narrowed by the list filters in ``args`` (bad values refused)."""
    query = visible_orders(viewer)
    state = (args.get("state") or "").strip()
    if state:
        if state not in STATES:
            raise _invalid("state")
        query = query.where(RecycleOrder.state == state)
    mode = (args.get("mode") or "").strip()
    if mode:
        if mode not in MODES:
            raise _invalid("mode")
        query = query.where(RecycleOrder.mode == mode)
    store_id = (args.get("store_id") or "").strip()
    if store_id:
        if not store_id.isdigit() or len(store_id) > 9:
            raise _invalid("store_id")
        query = query.where(RecycleOrder.store_id == int(store_id))
    day_from = _day((args.get("date_from") or "").strip(), "date_from")
    day_to = _day((args.get("date_to") or "").strip(), "date_to")
    if day_from:
        query = query.where(RecycleOrder.created_on >= datetime.combine(day_from, time.min))
    if day_to:
        query = query.where(RecycleOrder.created_on < datetime.combine(day_to + timedelta(days=1), time.min))
    text = (args.get("q") or "").strip()
    if text:
        if len(text) > MAX_TEXT:
            raise _invalid("q")
        like = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(or_(RecycleOrder.order_no.ilike(like), RecycleOrder.imei.ilike(like),
                                RecycleOrder.brand.ilike(like), RecycleOrder.model.ilike(like)))
    return query


def export_rows(viewer, args: Mapping[str, str], columns: list[Column]) -> Iterator[list]:
    """The filtered orders as rows of ``columns``: plain columns read in batches (no ORM objects,
    nothing held in memory).  The filters are checked now (a bad one is refused before
    anything is sent).  A member's name and phone go through the member's privacy rules
    (``member_contact``) for store staff, as on the order's page."""
    from app.members.services import member_contact

    contact = {c.key: i for i, c in enumerate(columns) if c.key in ("customer_name", "customer_phone")}
    by_member = bool(contact) and not is_hq(viewer) and not sees_customer_masked(viewer)
    exprs = [c.expr for c in columns] + ([RecycleOrder.member_id] if by_member else [])
    query = (filtered_query(viewer, args)
             .with_only_columns(*exprs)
             .select_from(RecycleOrder)
             .outerjoin(STORE, STORE.id == RecycleOrder.store_id)
             .outerjoin(GUIDE, GUIDE.id == RecycleOrder.guide_id)
             .outerjoin(PROVIDER, PROVIDER.id == RecycleOrder.provider_id)
             .order_by(RecycleOrder.id)
             .execution_options(yield_per=BATCH))
    shows = [c.show for c in columns]

    def shown_contact(values: list, member_id: int) -> None:
        name_at, phone_at = contact.get("customer_name"), contact.get("customer_phone")
        phone, name = member_contact(db.session.get(Member, member_id), viewer,
                                     values[phone_at] if phone_at is not None else None,
                                     values[name_at] if name_at is not None else None)
        if phone_at is not None:
            values[phone_at] = phone
        if name_at is not None:
            values[name_at] = name

    def rows() -> Iterator[list]:
        for row in db.session.execute(query):
            values = list(row[:len(columns)])
            if by_member and row[-1] is not None:
                shown_contact(values, row[-1])
            yield [show(value) for show, value in zip(shows, values, strict=True)]

    return rows()


# ---------------------------------------------------------------- the admin page


class RecycleExportView(BaseView):
    """**Trade-in → Export**: the list filters, the mandatory columns (ticked, fixed) and the
    optional ones to add, CSV or XLSX."""

    route_base = "/recycle-export"
    class_permission_name = "RecycleExport"
    method_permission_name = {"form": "read", "download": "read"}
    default_view = "form"
    template_folder = TEMPLATES

    def _render(self, errors=None):
        viewer = acting_user()
        stores = [] if not is_hq(viewer) else db.session.execute(
            select(Store.id, Store.name).order_by(Store.code)).all()
        return self.render_template(
            "recycle_bidding/export.html", mandatory=[BY_KEY[k] for k in MANDATORY],
            optional=optional_columns(viewer), values=request.args,
            picked=set(request.args.getlist("fields")),
            states=[(s, code_label(s, "recycle_state")) for s in STATES],
            modes=[(m, code_label(m, "recycle_mode")) for m in MODES], stores=stores,
            errors=errors or {}, title=_l("Export trade-ins"),
        )

    @expose("/")
    @has_access
    def form(self):
        return self._render()

    @expose("/download")
    @has_access
    def download(self):
        viewer = acting_user()
        try:
            fmt = export_format(request.args.get("format"))
            columns = chosen_columns(viewer, request.args.getlist("fields"))
            rows = export_rows(viewer, request.args, columns)
        except DomainError as err:
            fields = err.details.get("fields")
            field = err.details.get("field") or (next(iter(fields)) if isinstance(fields, dict) else "")
            return self._render({field or "fields": str(err.message)}), 422
        return export_response("trade-ins", [str(c.label) for c in columns], rows, fmt)
