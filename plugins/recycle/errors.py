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
