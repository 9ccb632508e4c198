"""Error codes of the payment_code plugin (its manifest returns them from ``retail_error_codes``;
README list generated)."""

from app.errors import error_table

# what the ``pay_code`` payment method can answer in POST pos/orders (and its return)
GROUPS = {"TENDERS": (
    "PAY_CODE_REQUIRED", "PAY_CODE_MALFORMED", "PAY_CODE_INVALID", "PAY_CODE_EXPIRED", "PAY_CODE_USED",
    "PAY_CODE_MEMBER_MISMATCH", "CARD_FROZEN", "CARD_EXPIRED",
)}

BATCH = "Card batch form: "  # codes of the batch editor (admin), all 422

ERRORS = error_table("payment_code", {
    "PAY_CODE_REQUIRED": (422, "A pay_code payment needs the scanned code in `code`."),
    "PAY_CODE_MALFORMED": (422, "A pay code is 18 digits."),
    "PAY_CODE_INVALID": (422, "The pay code is wrong (a wrong code counts against the till's limit)."),
    "PAY_CODE_EXPIRED": (410, "The pay code has expired: the member shows the current one."),
    "PAY_CODE_USED": (409, "The pay code was used already: each code pays once."),
    "PAY_CODE_MEMBER_MISMATCH": (409, "The pay code is not the one of the member on the sale."),
    "CARD_NOT_FOUND": (404, "Unknown stored-value card."),
    "CARD_FROZEN": (409, "The stored-value card is frozen."),
    "CARD_EXPIRED": (409, "The stored-value card has expired."),
    "CARD_ALREADY_BOUND": (409, "The card is bound to a member already."),
    "CARD_BIND_TOKEN_INVALID": (400, "The card binding code is not valid."),
    "CARD_BIND_TOKEN_EXPIRED": (410, "The card binding code has expired."),
    "CARD_BIND_TOKEN_USED": (409, "The card binding code was used already."),
    "CARD_BATCH_TOO_LARGE": (422, BATCH + "more cards than a batch may have (setting)."),
    "CARD_BATCH_NAME_REQUIRED": (422, BATCH + "enter the batch name."),
    "CARD_NUMBER_RULE_INVALID": (422, BATCH + "prefix of up to 10 letters or digits, length 4 to 18, "
                                              "start 0 or more."),
    "CARD_NUMBER_RANGE_TOO_LONG": (422, BATCH + "the last card number does not fit in the length."),
    "CARD_NUMBER_RANGE_OVERLAP": (422, BATCH + "the card numbers overlap another batch's."),
    "CARD_FACE_VALUE_INVALID": (422, BATCH + "the initial balance is 0 to 100,000 yuan."),
    "CARD_CODE_KIND_INVALID": (422, BATCH + "the printed pay code is none, QR code or barcode."),
    "CARD_LEAK_NOT_ACKNOWLEDGED": (422, BATCH + "acknowledge the warning about printed pay codes."),
}, GROUPS)
