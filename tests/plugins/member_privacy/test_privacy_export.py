"""The core's member export (CSV) obeys the privacy rules through the hooks: members a store
manager may not see are not exported; HQ exports everyone, unmasked."""

import csv
import io

from tests.support.privacy import privacy_fixture  # noqa: F401 (fixture)

URL = "/member-export/members.csv"


def _member_nos(response) -> set[str]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return {row[0] for row in rows[1:]}


def test_export_leaves_out_members_the_viewer_may_not_see(privacy, client_as):
    own = privacy.member("S001", name="自己开发", developer="E0101")
    colleague = privacy.member("S001", name="同事开发", developer="E0102")
    elsewhere = privacy.member("S002", name="别店会员")
    privacy.settings(other_staff=False, other_store=False)

    exported = _member_nos(client_as("manager1").get(URL))
    assert own["member_no"] in exported
    assert colleague["member_no"] not in exported and elsewhere["member_no"] not in exported

    hq_rows = client_as("hq").get(URL)
    assert {own["member_no"], colleague["member_no"], elsewhere["member_no"]} <= _member_nos(hq_rows)
    assert elsewhere["phone"] in hq_rows.get_data(as_text=True)  # HQ: never masked


def test_export_is_plain_again_when_the_plugin_is_disabled(privacy, client_as, app):
    colleague = privacy.member("S001", name="同事开发", developer="E0102")
    privacy.settings(other_staff=False)
    assert colleague["member_no"] not in _member_nos(client_as("manager1").get(URL))
    host = app.extensions["retail_plugins"]
    with app.app_context():
        host.set_enabled("member_privacy", False)
    try:  # the core rule alone: a store manager exports every member of the home store
        assert colleague["member_no"] in _member_nos(client_as("manager1").get(URL))
    finally:
        with app.app_context():
            host.set_enabled("member_privacy", True)
