"""A member's detail page: the sections every enabled package contributes
(``retail_member_detail_sections``: this domain's level history, the ledgers, the orders,
a plugin's wallet items...), in a stable order.  The page names no other domain or plugin.

Each section shows the member as the viewer may see them: contributors get ``shown``
(``present_member``), and a name or phone the viewer sees masked is masked in every
section's title and body whatever a contributor wrote.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from app.actor import acting_user
from app.admin_fields import Section
from app.extensions import db
from app.formatting import html_table, link, timestamp
from app.hookspecs import DetailSection, MemberShown
from app.members.models import LevelChange, Member
from app.members.services import PRIVATE, present_member
from app.plugins import plugin_host

RECENT = 20  # rows of a ledger or list section; the full lists are on their own pages (tabs)


def document_link(doc_no: str):
    """A document number linked to its page (``retail_document_url``), else as text."""
    url = plugin_host().document_url(doc_no=doc_no) if doc_no else None
    return link(url, doc_no) if url else doc_no


def level_history_section(member: Member) -> DetailSection:
    changes = db.session.scalars(
        select(LevelChange).where(LevelChange.member_id == member.id).order_by(LevelChange.id.desc())
    ).all()
    body = html_table(
        (_l("Time"), _l("From level"), _l("To level"), _l("Document")),
        [(timestamp(c.created_on), c.from_level, c.to_level, document_link(c.doc_no)) for c in changes],
    )
    return DetailSection("level-history", _l("Level history"), body, order=10)


def _masked(section: DetailSection, hidden: list[tuple[str, str]]) -> Section:
    """``section`` with every stored value the viewer sees masked replaced by its mask."""
    if not hidden:
        return Section(section.key, section.title, section.body)
    title, body = str(section.title), str(escape(section.body))
    for stored, mask in hidden:
        title = title.replace(stored, mask)
        body = body.replace(str(escape(stored)), str(escape(mask)))
    return Section(section.key, title, Markup(body))


def member_sections(member: Member) -> list[Section]:
    viewer = acting_user()
    shown: MemberShown = present_member(member, viewer, "show")
    sections = plugin_host().member_detail_sections(member=member, viewer=viewer, shown=shown)
    hidden = [(getattr(member, key), shown.get(key) or "") for key in PRIVATE
              if getattr(member, key) and shown.get(key) != getattr(member, key)]
    return [_masked(section, hidden) for section in sections]
