"""The plugin's label vocabularies (codes shown as translated labels, app.formatting)."""

from flask_babel import lazy_gettext as _l

from app.formatting import register_labels

VISIT_METHODS = {
    "phone": _l("Phone call"),
    "wecom": _l("WeCom chat"),
    "in_store": _l("In store"),
    "sms": _l("Text message"),
    "other": _l("Other"),
}
OWNERSHIP_ACTIONS = {
    "claim": _l("Claimed"),
    "link": _l("Added on WeCom"),
    "transfer": _l("Transferred"),
    "release": _l("Released to the pool"),
}
OWNERSHIP_SOURCES = {
    "claim": _l("Claimed by the guide"),
    "wecom": _l("WeCom contact"),
    "transfer": _l("Changed by a manager"),
    "staff_left": _l("Guide left"),
    "admin": _l("Admin"),
}
ACTIVATION_METHODS = {"link": _l("Activation link"), "sms": _l("Mall SMS login")}
MATERIAL_KINDS = {"text": _l("Text"), "image": _l("Image"), "link": _l("Link")}
TASK_STATUSES = {"open": _l("In progress"), "closed": _l("Closed")}
ASSIGNMENT_STATUSES = {"pending": _l("Pending"), "done": _l("Done")}

register_labels("wecom_guide_visit_method", VISIT_METHODS)
register_labels("wecom_guide_ownership_action", OWNERSHIP_ACTIONS)
register_labels("wecom_guide_ownership_source", OWNERSHIP_SOURCES)
register_labels("wecom_guide_activation_method", ACTIVATION_METHODS)
register_labels("wecom_guide_material_kind", MATERIAL_KINDS)
register_labels("wecom_guide_task_status", TASK_STATUSES)
register_labels("wecom_guide_assignment_status", ASSIGNMENT_STATUSES)
