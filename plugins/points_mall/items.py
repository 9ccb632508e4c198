"""Mall items kept by HQ: the rules of the item editor and putting items on or off the shelf."""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.extensions import db
from app.images import save_image
from app.platform.audit import audit
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.points_mall.models import ITEM_KINDS, MallItem

IMAGE_AREA = "points_mall"  # instance/uploads/points_mall/
IMAGE_ADDRESS = re.compile(r"^(https?://[^\s<>\"']+|/api/v1/mall/points-mall/images/[0-9a-f]{32}\.[a-z]{3,4})$")
MAX_POINTS = 100_000_000
MAX_STOCK = 100_000_000


def _whole(value, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def validate_item(item: MallItem) -> None:
    """Refuse an item the mall could not exchange (``DomainError`` with ``field=``)."""
    from plugins.coupons.services import check_issuable

    item.name = (item.name or "").strip()
    if not 1 <= len(item.name) <= 100:
        raise DomainError(
            "MALL_ITEM_NAME_REQUIRED", _l("Enter the item name (up to 100 characters)."), field="name"
        )
    if item.kind not in ITEM_KINDS:
        raise DomainError("MALL_ITEM_KIND_INVALID", _l("An item is physical or virtual."), field="kind")
    item.image_url = (item.image_url or "").strip()
    if item.image_url and not IMAGE_ADDRESS.match(item.image_url):
        raise DomainError("MALL_ITEM_IMAGE_URL_INVALID",
                          _l("Give the picture's web address (http:// or https://), or upload one."),
                          field="image_url")
    for name in ("allow_delivery", "allow_pickup"):
        if getattr(item, name) is None:
            setattr(item, name, True)
    if item.stock is None:
        item.stock = 0
    if item.kind == "physical":
        if item.sku_id is None and item.sku is None:
            raise DomainError(
                "MALL_ITEM_SKU_REQUIRED", _l("Choose the SKU of the physical goods."), field="sku"
            )
        if item.coupon_rule_id is not None or item.coupon_rule is not None:
            raise DomainError(
                "MALL_ITEM_KIND_FIELDS", _l("A coupon rule is only for virtual goods."), field="coupon_rule"
            )
        if not (item.allow_delivery or item.allow_pickup):
            raise DomainError(
                "MALL_ITEM_NO_FULFILMENT",
                _l("Offer delivery, store pick-up or both."),
                field="allow_delivery",
            )
    else:
        rule = item.coupon_rule
        if rule is None and item.coupon_rule_id is not None:
            from plugins.coupons.models import CouponRule

            rule = db.session.get(CouponRule, item.coupon_rule_id)
        if rule is None or rule.medium != "electronic":
            raise DomainError(
                "MALL_ITEM_RULE_REQUIRED",
                _l("Choose an audited, enabled electronic coupon rule."),
                field="coupon_rule",
            )
        try:
            check_issuable(rule)
        except DomainError:
            raise DomainError(
                "MALL_ITEM_RULE_REQUIRED",
                _l("Choose an audited, enabled electronic coupon rule."),
                field="coupon_rule",
            ) from None
        if (
            item.sku_id is not None
            or item.sku is not None
            or item.source_store_id is not None
            or item.source_store is not None
        ):
            raise DomainError(
                "MALL_ITEM_KIND_FIELDS",
                _l("A SKU and a source store are only for physical goods."),
                field="sku",
            )
        item.allow_delivery = item.allow_pickup = False
    if not _whole(item.points_price, 1, MAX_POINTS):
        raise DomainError(
            "MALL_ITEM_POINTS_INVALID",
            _l("The points price must be a whole number of at least 1."),
            field="points_price",
        )
    if item.cash_fen is None:
        item.cash_fen = 0
    if not _whole(item.cash_fen, 0):
        raise DomainError("MALL_ITEM_CASH_INVALID", _l("The cash part must be 0 or more."), field="cash_fen")
    if not _whole(item.stock, 0, MAX_STOCK):
        raise DomainError("MALL_ITEM_STOCK_INVALID", _l("The stock must be 0 or more."), field="stock")
    for name in ("per_member_limit", "per_member_daily_limit"):
        value = getattr(item, name)
        if value is not None and not _whole(value, 1, MAX_STOCK):
            raise DomainError(
                "MALL_ITEM_LIMIT_INVALID", _l("A per-member limit must be at least 1 (or empty)."), field=name
            )
    if item.valid_from and item.valid_to and item.valid_to < item.valid_from:
        raise DomainError(
            "MALL_ITEM_WINDOW_INVALID",
            _l("The end of the exchange period is before its start."),
            field="valid_to",
        )
    if item.sort_order is None:
        item.sort_order = 0


def set_on_shelf(item: MallItem, on_shelf: bool) -> None:
    """Put one item on or off the shelf (a bulk action runs this per row). Commits."""
    with unit_of_work():
        if on_shelf:
            validate_item(item)  # e.g. its coupon rule was disabled meanwhile
        item.on_shelf = on_shelf
        audit("points_mall.shelf", "points_mall_item", item.id, on_shelf=on_shelf)


def save_item_image(data: bytes) -> str:
    """Keep an uploaded item picture (checked by its content) and return the address members'
    apps load it from (public: an ``<img>`` sends no token)."""
    stored = save_image(IMAGE_AREA, data, int(get_setting("points_mall.image_max_kb")) * 1024,
                        field="image_file")
    return url_for("MallPointsApi.image", name=stored.name)
