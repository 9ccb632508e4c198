"""Admin menu that hides items whose plugin is disabled.

FAB's navbar template checks permissions but not ``menu_cond``; this menu
applies the conditions when the navbar is rendered.  Outside a request (role
sync) every item is listed so permissions exist for disabled plugins too.
"""

import copy

from flask import has_request_context
from flask_appbuilder.menu import Menu


class RetailMenu(Menu):
    def get_list(self):
        if not has_request_context():
            return self.menu
        return self._visible(self.menu)

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
