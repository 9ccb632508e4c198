"""Error codes of the recycle plugin (its manifest returns them from ``retail_error_codes``;
README list generated)."""

from app.errors import error_table

ENTRIES = {
    "RECYCLE_ORDER_NOT_FOUND": (404, "Unknown trade-in order (or one the caller may not see)."),
    "RECYCLE_STATE_INVALID": (409, "The trade-in order's state does not allow this (`state`: its state)."),
    "RECYCLE_STATE_CHANGED": (409, "Someone else changed the trade-in order first (e.g. another reviewer "
                                   "quoted it); reload it."),
    "RECYCLE_IMEI_INVALID": (422, "The IMEI must be 15 digits with a valid Luhn check digit."),
    "RECYCLE_DEVICE_ID_REQUIRED": (422, "Give the device's IMEI or its serial number."),
    "RECYCLE_MODE_INVALID": (422, "Unknown trade-in mode."),
    "RECYCLE_PROVIDER_REQUIRED": (422, "A half- or full-package trade-in needs its service provider."),
    "RECYCLE_PROVIDER_NOT_FOUND": (422, "Unknown or inactive service provider."),
    "RECYCLE_CUSTOMER_REQUIRED": (422, "Give the member or the walk-in customer's phone."),
    "RECYCLE_PHOTOS_REQUIRED": (422, "Add at least one photo of the device."),
    "RECYCLE_PHOTO_NOT_FOUND": (422, "A photo is unknown, of another store or on another order already."),
    "RECYCLE_PHOTO_TYPE_INVALID": (422, "A photo must be a JPEG, PNG or WebP image."),
    "RECYCLE_PHOTO_TOO_LARGE": (413, "The photo is larger than allowed (`max_bytes`)."),
    "RECYCLE_QUOTE_INVALID": (422, "The quote must be more than zero yuan."),
    "RECYCLE_NOT_REVIEWER": (403, "The caller is not this trade-in's reviewer (its mode decides who is)."),
    "RECYCLE_NO_WINNER": (409, "The bidding trade-in has no winning bidder yet."),
    "RECYCLE_REQUOTE_DISABLED": (409, "Re-quoting is turned off (Recycle settings)."),
    "RECYCLE_CONFIRM_REQUIRED": (422, "Confirm the re-quote (`confirm`: true)."),
}

ERRORS = error_table("recycle", ENTRIES)


# --- bidding: bids, settlement, export ---

BIDDING_ENTRIES = {
    "RECYCLE_NOT_PROVIDER_USER": (403, "The account is not bound to a service provider (only they bid)."),
    "RECYCLE_NOT_BIDDING": (409, "Only a bidding-mode trade-in takes bids."),
    "RECYCLE_BIDDING_NOT_OPEN": (409, "The trade-in is not open for bids (not a pending bidding order, or "
                                      "never opened)."),
    "RECYCLE_BIDDING_ALREADY_OPEN": (409, "The trade-in is open for bids already, or its bidding has a "
                                          "winner."),
    "RECYCLE_BID_LATE": (409, "The bidding deadline has passed: the bid is refused."),
    "RECYCLE_BID_BELOW_MINIMUM": (422, "The bid is below the minimum bid (`min_bid_fen`)."),
    "RECYCLE_BID_AMOUNT_INVALID": (422, "A bid or minimum must be more than zero yuan."),
    "RECYCLE_BID_DEADLINE_INVALID": (422, "The bidding time must be 1 minute to 30 days."),
    "RECYCLE_NOT_SETTLED": (404, "The trade-in has not been settled yet."),
    "RECYCLE_ALREADY_PAID": (409, "The trade-in's customer has been paid already (never twice)."),
    "RECYCLE_PAYMENT_CODE_INVALID": (404, "Unknown or forged payment code."),
    "RECYCLE_PAYMENT_CODE_EXPIRED": (410, "The payment code has expired; the store shows a new one."),
    "RECYCLE_CREDIT_CODE_REQUIRED": (422, "A `recycle_credit` payment needs the credit code in `code`."),
    "RECYCLE_CREDIT_NOT_FOUND": (404, "Unknown trade-in credit (or one of another store)."),
    "RECYCLE_CREDIT_USED": (409, "The trade-in credit was used already."),
    "RECYCLE_CREDIT_AMOUNT_TOO_LARGE": (422, "The payment is more than the trade-in credit (`credit_fen`)."),
    "RECYCLE_EXPORT_FIELD_INVALID": (422, "Unknown export field (`fields_unknown`)."),
}
BIDDING_GROUPS = {"TENDERS": ("RECYCLE_CREDIT_CODE_REQUIRED", "RECYCLE_CREDIT_NOT_FOUND",
                              "RECYCLE_CREDIT_USED", "RECYCLE_CREDIT_AMOUNT_TOO_LARGE")}
ERRORS = error_table("recycle", {**ENTRIES, **BIDDING_ENTRIES}, BIDDING_GROUPS)
