"""Fixtures of the member_privacy tests (defined in privacy_helpers)."""

from privacy_helpers import privacy, sku  # noqa: F401
