"""Masking applies to every section of the member page: the sections built from ``shown``
and, as a guard, a section that wrote the member's stored name or phone."""

from __future__ import annotations

import re

import pytest

from app.formatting import html_table
from app.hookspecs import DetailSection, hookimpl
from tests.support.privacy import masked_phone, privacy_fixture  # noqa: F401 (fixture)


class Probe:
    """A package contributing two sections: one as the contract says (``shown``), one that
    wrongly uses the member's own fields."""

    @hookimpl
    def retail_member_detail_sections(self, member, shown):
        def table(name, phone):
            return html_table(("name", "phone"), [(name, phone)])

        return [
            DetailSection("probe-shown", "shown", table(shown["name"], shown["phone"])),
            DetailSection("probe-raw", f"raw {member.name}", table(member.name, member.phone)),
        ]


@pytest.fixture
def probe(app):
    host = app.extensions["retail_plugins"]
    contributor = Probe()
    host.pm.register(contributor, name="detail_probe")
    host._subset_callers.clear()
    yield
    host.pm.unregister(contributor)
    host._subset_callers.clear()


def _sections(html: str) -> dict[str, str]:
    parts = re.split(r'(?=<div class="panel panel-default detail-section" id="section-)', html)[1:]
    return {re.search(r'id="section-([\w-]+)"', part).group(1): part for part in parts}


def test_a_masked_viewer_sees_masked_values_in_every_section(privacy, client_as, probe):
    member = privacy.member("S001", name="欧阳娜娜", stored_value_fen=1000, points=50)
    phone, url = member["phone"], f"/memberview/show/{member['id']}"
    privacy.settings(mask=True)
    html = client_as("manager1").get(url).get_data(as_text=True)
    sections = _sections(html)
    assert {"level-history", "stored-value", "points", "orders", "probe-shown", "probe-raw"} <= set(sections)
    for key, body in sections.items():
        assert "欧阳娜娜" not in body and phone not in body, key
    for key in ("probe-shown", "probe-raw"):
        assert "欧阳**" in sections[key] and masked_phone(phone) in sections[key], key
    assert "raw 欧阳**" in sections["probe-raw"]  # the title too

    full = _sections(client_as("hq").get(url).get_data(as_text=True))  # HQ sees everything
    for key in ("probe-shown", "probe-raw"):
        assert "欧阳娜娜" in full[key] and phone in full[key], key
