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


# --- wecom: WeCom integration, open-bill modes ---

ERRORS.update(error_table("wecom_guide", {
    "WECOM_NOT_CONFIGURED": (409, "WeCom is not set up: the corp ID and the customer-contact secret are "
                                  "needed."),
    "WECOM_UNAVAILABLE": (503, "WeCom did not answer in time, could not be reached or limited our calls "
                               "(`cause`): try again."),
    "WECOM_REFUSED": (409, "WeCom refused the request (`wecom_code`, WeCom's `errcode`)."),
    "WECOM_USERID_INVALID": (422, "A WeCom userid is 1 to 64 letters, digits or _ . @ -."),
    "WECOM_USERID_TAKEN": (409, "The WeCom userid is bound to another guide."),
    "WECOM_USER_NOT_BOUND": (409, "The guide is not bound to a WeCom userid yet."),
    "WECOM_QR_MISSING": (409, "The guide has no WeCom QR: an admin makes it on the WeCom guides page."),
    "WECOM_NOT_FRIEND": (409, "In the WeCom open-bill modes the customer must be the guide's WeCom friend."),
    "OPEN_BILL_OFF": (409, "Scan-to-open-bill is turned off (setting wecom_guide.open_bill_mode)."),
}, {"SALE_REFUSALS": ("WECOM_NOT_FRIEND", "WECOM_QR_MISSING")}))
