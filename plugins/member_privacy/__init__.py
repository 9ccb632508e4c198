"""Plugin `member_privacy` (work in progress)."""

NAME = "member_privacy"
VERSION = "0.1.0"
DEPENDS = ()
DEFAULT_ENABLED = False
