"""Plugin `meituan_voucher` (work in progress)."""

NAME = "meituan_voucher"
VERSION = "0.1.0"
DEPENDS = ()
DEFAULT_ENABLED = False
