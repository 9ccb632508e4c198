"""Error codes of the wecom_guide plugin (its manifest returns them from ``retail_error_codes``;
README list generated). The ``wecom`` helper's codes follow in its marked section."""

from app.errors import error_table

ERRORS = error_table("wecom_guide", {
    # the guide workbench (guide/... API) and ownership
    "GUIDE_REQUIRED": (403, "This needs an active guide account bound to a store."),
    "MEMBER_ALREADY_CLAIMED": (409, "Another guide owns the member (a claim lost the race, or the member "
                                    "left the pool)."),
    "GUIDE_NOT_FOUND": (422, "The target guide does not exist, has left, or works in another store."),
    "TAG_NOT_FOUND": (422, "Unknown member tag."),
    "PHOTO_TYPE_NOT_ALLOWED": (415, "Album uploads must be JPEG, PNG, GIF or WebP images."),
    "PHOTO_TOO_LARGE": (413, "The image is larger than the album's limit (`max_bytes`)."),
    "ACTIVATION_LINK_INVALID": (404, "The activation link is unknown, tampered with or expired."),
    "TASK_CLOSED": (409, "The task is closed: nothing more can be forwarded or marked done."),
    "TASK_NO_GUIDES": (422, "No active guide matches the task's store: nobody to assign it to."),
})
