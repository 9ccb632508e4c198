"""Error codes of the member_privacy plugin (registered in ``app.errors``)."""

from app.errors import error_table

ERRORS = error_table("member_privacy", {
    "MEMBER_NOT_IN_GROUP": (403, "The member belongs to another share group: not usable at this store."),
})
