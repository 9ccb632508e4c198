"""Error codes of the member_privacy plugin (registered in ``app.errors``)."""

from app.errors import error_table

ERRORS = error_table("member_privacy", {
    "MEMBER_NOT_IN_GROUP": (403, "The member belongs to another share group: not usable at this store."),
})

# refused through ``retail_member_usable`` wherever the POS acts on a member
GROUPS = {"MEMBER_REFUSALS": ("MEMBER_NOT_IN_GROUP",)}
