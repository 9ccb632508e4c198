"""Plugin `member_privacy`: member privacy masking and member share groups (SPEC §5.3).

The rules live in ``services.py``; the core calls the member hooks
(``retail_member_filters``, ``retail_present_member``, ``retail_member_usable``,
``retail_mall_store_filters``) on every member-exposing path.  This is the
plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import ViewSpec, hookimpl
from app.roles import MERCHANT, menu, write

NAME = "member_privacy"
TITLE = _l("Member privacy")
VERSION = "0.1.0"
DESCRIPTION = _l("Masks member phone numbers and names, limits which members store staff see, "
                 "and isolates members by share group.")
DEPENDS = ()
DEFAULT_ENABLED = False
MODELS = "plugins.member_privacy.models"
MIGRATIONS = "migrations/versions"
SETTINGS = "plugins.member_privacy.settings:SETTINGS"
DEMO = "plugins.member_privacy.demo:seed_share_groups"

GRANTS = {MERCHANT: write("MemberShareGroups") + menu("MemberShareGroupList")}


@hookimpl
def retail_error_codes():
    from plugins.member_privacy.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_views(appbuilder):
    from plugins.member_privacy.views import ShareGroupView

    return [
        ViewSpec(
            ShareGroupView,
            name="MemberShareGroupList",
            label=_l("Member share groups"),
            category="Members",
            category_label=_l("Members"),
            icon="fa-object-group",
        )
    ]


@hookimpl
def retail_member_filters(viewer, context):
    from plugins.member_privacy.services import member_filters

    return member_filters(viewer, context)


@hookimpl
def retail_present_member(data, member, viewer, context):
    from plugins.member_privacy.services import present

    present(data, member, viewer, context)


@hookimpl
def retail_member_usable(member, store_id, purpose):
    from plugins.member_privacy.services import member_usable

    return member_usable(member, store_id, purpose)


@hookimpl
def retail_mall_store_filters(member):
    from plugins.member_privacy.services import mall_stores_criteria

    return mall_stores_criteria(member)


@hookimpl
def retail_member_segments():
    from plugins.member_privacy.services import share_group_segments

    return share_group_segments()
