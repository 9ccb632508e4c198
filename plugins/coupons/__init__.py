"""Plugin `coupons` (work in progress)."""

NAME = "coupons"
VERSION = "0.1.0"
DEPENDS = ()
DEFAULT_ENABLED = False
