"""Error codes of the member_privacy plugin (its manifest returns them from ``retail_error_codes``)."""

from app.errors import error_table

# refused through ``retail_member_usable`` wherever the POS acts on a member
GROUPS = {"MEMBER_REFUSALS": ("MEMBER_NOT_IN_GROUP",)}

ERRORS = error_table("member_privacy", {
    "MEMBER_NOT_IN_GROUP": (403, "The member belongs to another share group: not usable at this store."),
}, GROUPS)
