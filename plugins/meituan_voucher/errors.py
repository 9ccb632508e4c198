"""Error codes of the meituan_voucher plugin (its manifest returns them from ``retail_error_codes``).

The platform refusals come from ``platform.ERRORS`` (code → message, status): one table.
``MEITUAN_REFUSED`` (an unknown refusal) also carries ``platform_code`` and ``platform_message``.
"""

from app.errors import error_table, msgid
from plugins.meituan_voucher.platform import ERRORS as PLATFORM_ERRORS

ENTRIES = {
    **{code: (status, msgid(message))
       for code, (message, status) in PLATFORM_ERRORS.items()},
    "MEITUAN_NOT_CONFIGURED": (409, "Meituan is not set up: developer ID, sign key and token are needed."),
    "MEITUAN_SHOP_NOT_BOUND": (409, "The store is not bound to a Meituan shop."),
    "MEITUAN_VERIFICATION_NOT_FOUND": (404, "No verification of this code at this store."),
    "MEITUAN_VOUCHER_ON_ORDER": (409, "The voucher paid for an order: return the order instead."),
    "MEITUAN_CODE_REQUIRED": (422, "A Meituan payment needs the voucher code in `code`."),
    "MEITUAN_AMOUNT_INVALID": (422, "A Meituan payment must be more than zero."),
    "MEITUAN_AMOUNT_TOO_HIGH": (422, "The payment is more than the voucher is worth."),
    "MEITUAN_DEAL_PRODUCT_MISSING": (422, "The voucher's product is not on the order."),
    "MEITUAN_PARTIAL_RETURN": (409, "A Meituan voucher is reversed whole: return the whole order instead."),
    "MEITUAN_VERIFICATION_PENDING": ((504, 502), "Meituan did not confirm a consume (504: no answer in time, "
                                     "502: an unreadable answer) and could not be asked: a pending "
                                     "verification (`verification_no`) is kept until reconciliation or a "
                                     "retry with the same Idempotency-Key settles it."),
    "MEITUAN_VOUCHER_NOT_RECORDED": (503, "Our failure right after a consume: the voucher was reversed on "
                                     "Meituan (or kept as pending); retry the request (the same "
                                     "Idempotency-Key) after `Retry-After` seconds."),
}

# what the ``meituan`` payment method can answer in POST pos/orders (and its return): its own
# codes and every platform answer (the voucher is consumed while the sale is booked)
GROUPS = {"TENDERS": tuple(code for code in ENTRIES if code not in (
    "MEITUAN_VERIFICATION_NOT_FOUND", "MEITUAN_VOUCHER_ON_ORDER", "MEITUAN_REVERSE_WINDOW_PASSED"))}

ERRORS = error_table("meituan_voucher", ENTRIES, GROUPS)
