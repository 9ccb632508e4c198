"""Error codes of the points mall plugin (its manifest returns them from ``retail_error_codes``;
README list generated)."""

from app.errors import error_table

ITEM = "Mall item form: "  # codes of the item editor (admin), all 422

ERRORS = error_table(
    "points_mall",
    {
        # exchange in the mall (member API)
        "MALL_ITEM_NOT_FOUND": (404, "Unknown mall item (or one the member may not see)."),
        "MALL_ITEM_OFF_SHELF": (409, "The item is off the shelf."),
        "MALL_ITEM_NOT_STARTED": (409, "The item cannot be exchanged yet."),
        "MALL_ITEM_EXPIRED": (409, "The item's exchange period has ended."),
        "MALL_OUT_OF_STOCK": (409, "Not enough stock of the item."),
        "MALL_LIMIT_REACHED": (409, "The member has exchanged the most of this item allowed per member."),
        "MALL_DAILY_LIMIT_REACHED": (409, "The member has exchanged the most of this item allowed per day."),
        "MALL_CASH_MISMATCH": (
            422,
            "The cash part given (`cash_fen`) is not the item's cash part (`expected_cash_fen`).",
        ),
        "MALL_PAYMENT_METHOD_INVALID": (422, "Pay the cash part with stored value, WeChat Pay or Alipay."),
        "MALL_PAYMENT_REF_REQUIRED": (
            422,
            "A WeChat Pay or Alipay cash part needs the paid order's reference.",
        ),
        "MALL_QTY_INVALID": (422, "The quantity must be a whole number from 1 to 99."),
        "MALL_FULFILMENT_INVALID": (
            422,
            "Physical goods are delivered (`delivery`) or picked up (`pickup`); virtual goods take neither.",
        ),
        "MALL_FULFILMENT_NOT_OFFERED": (422, "The item does not offer this way of fulfilment."),
        "MALL_ADDRESS_REQUIRED": (422, "Delivery needs the receiver's name, phone and address."),
        "MALL_PICKUP_STORE_REQUIRED": (422, "Store pick-up needs the pick-up store (`pickup_store`)."),
        "MALL_STORE_NOT_ALLOWED": (403, "The store is not one of the member's mall stores."),
        # exchange orders (member API and admin)
        "MALL_ORDER_NOT_FOUND": (404, "Unknown exchange order."),
        "MALL_ORDER_STATUS_INVALID": (409, "The exchange order cannot take this step (now)."),
        "MALL_PICKUP_CODE_INVALID": (422, "The pick-up code is wrong."),
        "MALL_TRACKING_REQUIRED": (422, "Give the carrier and the tracking number."),
        # the item editor (admin)
        "MALL_ITEM_NAME_REQUIRED": (422, ITEM + "enter the item name (up to 100 characters)."),
        "MALL_ITEM_IMAGE_URL_INVALID": (422, ITEM + "the image URL is an http(s) address (or upload one)."),
        "MALL_ITEM_KIND_INVALID": (422, ITEM + "an item is physical or virtual."),
        "MALL_ITEM_SKU_REQUIRED": (422, ITEM + "physical goods need the SKU."),
        "MALL_ITEM_RULE_REQUIRED": (
            422,
            ITEM + "virtual goods need an audited, enabled electronic coupon rule.",
        ),
        "MALL_ITEM_KIND_FIELDS": (
            422,
            ITEM + "a SKU, source store and fulfilment are only for physical goods; "
            "a coupon rule only for virtual goods.",
        ),
        "MALL_ITEM_POINTS_INVALID": (422, ITEM + "the points price must be a whole number of at least 1."),
        "MALL_ITEM_CASH_INVALID": (422, ITEM + "the cash part must be 0 or more."),
        "MALL_ITEM_STOCK_INVALID": (422, ITEM + "the stock must be 0 or more."),
        "MALL_ITEM_LIMIT_INVALID": (422, ITEM + "a per-member limit must be at least 1 (or empty)."),
        "MALL_ITEM_WINDOW_INVALID": (422, ITEM + "the end of the exchange period is before its start."),
        "MALL_ITEM_NO_FULFILMENT": (422, ITEM + "physical goods offer delivery, store pick-up or both."),
    },
)


# --- reset: points reset (积分清零) ---
ERRORS.update(error_table("points_mall", {
    "POINTS_RESET_REASON_INVALID": (422, "Points reset form: the reason members see takes 2 to 100 "
                                         "characters."),
    "POINTS_RESET_REMARK_TOO_LONG": (422, "Points reset form: the remark takes at most 500 characters."),
    "POINTS_RESET_SCOPE_INVALID": (422, "Points reset form: the scope is all members, a level, a member "
                                        "group or home stores."),
    "POINTS_RESET_LEVEL_REQUIRED": (422, "Points reset form: choose the member level."),
    "POINTS_RESET_SEGMENT_REQUIRED": (422, "Points reset form: choose the member group (e.g. a share group); "
                                           "a job whose group has gone fails with it."),
    "POINTS_RESET_STORES_REQUIRED": (422, "Points reset form: choose the members' home stores."),
    "POINTS_RESET_DATE_INVALID": (422, "Points reset form: the 'earned before' date is not a date "
                                       "(YYYY-MM-DD) or is after tomorrow."),
    "POINTS_RESET_NOT_FOUND": (404, "Unknown points reset."),
    "POINTS_RESET_NOT_RESUMABLE": (409, "Only a failed points reset, or one whose worker stopped, "
                                        "can be resumed."),
}))
