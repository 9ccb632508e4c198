"""Admin menu: hides items whose plugin is disabled, orders the sidebar by domain.

FAB's navbar template checks permissions but not ``menu_cond``; this menu
applies the conditions when the menu is rendered.  Outside a request (role
sync) every item is listed so permissions exist for disabled plugins too.

The sidebar (``app/templates/appbuilder/navbar.html``) shows the top-level
items as groups in the order a shop owner works: selling first, set-up and
system last, as the packages' manifests rank them (``SIDEBAR``); a group no
manifest ranks (a new plugin's) comes before System.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context, request
from flask_appbuilder.menu import Menu
from flask_babel import gettext

# Each package ranks the top-level groups it opens in its manifest (``SIDEBAR``, lower
# first); a group nobody ranks (a new plugin's own) lands just before System (900).
UNRANKED = 850
FAB_GROUPS = {"Security": 1000}  # FAB's own user and role pages come last


def _group_rank(item) -> float:
    ranks = current_app.extensions["retail_plugins"].sidebar_ranks()
    return ranks.get(item.name, FAB_GROUPS.get(item.name, UNRANKED))


class RetailMenu(Menu):
    def get_list(self):
        if not has_request_context():
            return self.menu
        return sorted(self._visible(self.menu), key=_group_rank)

    def _visible(self, items):
        shown = []
        for item in items:
            if not item.should_render():
                continue
            if item.childs:
                children = self._visible(item.childs)
                if not any(child.name != "-" for child in children):
                    continue
                item = copy.copy(item)
                item.childs = children
            shown.append(item)
        return shown


@dataclass
class SidebarLink:
    name: str
    label: str
    icon: str
    url: str
    active: bool = False


@dataclass
class SidebarGroup:
    name: str
    label: str
    icon: str
    links: list[SidebarLink] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


def _is_current(item, url: str) -> bool:
    view = item.baseview
    if view is not None and request.blueprint == view.blueprint.name:
        return True
    return bool(url) and request.path == url.split("?")[0]


def _label(item) -> str:
    # FAB's own items carry plain English labels translated through its catalog (and ours)
    return gettext(str(item.label or item.name))


def sidebar() -> list[SidebarGroup]:
    """The menu the current user may open, grouped by domain (kept per request)."""
    cached = g.get("_retail_sidebar")
    if cached is not None:
        return cached
    sm = current_app.appbuilder.sm
    groups: list[SidebarGroup] = []
    for top in current_app.appbuilder.menu.get_list():
        if not sm.has_access("menu_access", top.name):
            continue
        children = top.childs or [top]
        group = SidebarGroup(top.name, _label(top), top.icon or "fa-folder")
        for item in children:
            if item.name == "-" or (item is not top and not sm.has_access("menu_access", item.name)):
                continue
            url = item.get_url()
            group.links.append(SidebarLink(item.name, _label(item), item.icon or "",
                                           url, _is_current(item, url)))
        if group.links:
            groups.append(group)
    g._retail_sidebar = groups
    return groups
