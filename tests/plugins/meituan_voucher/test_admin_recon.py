"""Reconciliation (CLI and job), secret settings, admin views and store scoping."""

from __future__ import annotations

import time

from sqlalchemy import select

from app.extensions import db
from plugins.meituan_voucher.signing import business_date
from tests.support.meituan import mt_fixture, sim_fixture  # noqa: F401  (fixtures)
from tests.support.settings import settings_form


def test_reconciliation_flags_an_injected_mismatch(app, api_as, mt):
    from plugins.meituan_voucher.models import Reconciliation

    api = api_as("pos1")
    ours_ok, ours_only, theirs_only = mt.new(1)[0], mt.new(1)[0], mt.new(1)[0]
    for code in (ours_ok, ours_only):
        assert api.post("/api/v1/pos/meituan/consume", json={"code": code}).status_code == 201
    # injected: reversed on the platform behind our back, and one verified elsewhere
    mt.state.vouchers[ours_only].state = "UNUSED"
    mt.state.vouchers[theirs_only].state, mt.state.vouchers[theirs_only].consumed_at = "CONSUMED", time.time()
    day = business_date(time.time())
    out = app.test_cli_runner().invoke(args=["meituan-reconcile", "--date", day, "--store", "S001"])
    assert out.exit_code == 0, out.output
    assert "S001" in out.output and "mismatch" in out.output
    with app.app_context():
        row = db.session.scalars(select(Reconciliation).where(Reconciliation.business_date == day)).one()
        kinds = {(m["code"], m["kind"]) for m in row.mismatches}
        assert (ours_only, "ours_only") in kinds and (theirs_only, "platform_only") in kinds
        assert ours_ok not in {m["code"] for m in row.mismatches}
        assert row.status == "mismatch"

    # fixed on the platform side: the job (same service) re-runs the day and finds it clean
    mt.state.vouchers[ours_only].state = "CONSUMED"
    mt.state.vouchers[ours_only].consumed_at = time.time()
    mt.state.vouchers[theirs_only].state = "UNUSED"
    with app.app_context():
        from app.platform.jobs import enqueue_job

        job = enqueue_job("meituan_voucher.reconcile", day=day, store="S001")
        assert job.status == "done", job.message
        row = db.session.scalars(select(Reconciliation).where(Reconciliation.business_date == day)).one()
        assert (row.status, row.mismatches) == ("ok", [])


def test_reconciliation_records_a_platform_failure(app, mt):
    from app.platform.settings import set_setting
    from plugins.meituan_voucher.models import Reconciliation

    with app.app_context():
        set_setting("meituan_voucher.sign_key", "bad-key-00000")
    out = app.test_cli_runner().invoke(args=["meituan-reconcile", "--date", "2026-01-02", "--store", "S001"])
    assert out.exit_code == 0 and "failed" in out.output
    with app.app_context():
        row = db.session.scalars(
            select(Reconciliation).where(Reconciliation.business_date == "2026-01-02")
        ).one()
        assert row.status == "failed" and row.message.startswith("MEITUAN_SIGNATURE_REJECTED")


def test_secret_settings_are_never_shown_back(app, client_as, mt):
    from app.platform.models import AuditLog
    from app.platform.settings import get_setting

    admin = client_as("admin")
    page = admin.get("/settings/").get_data(as_text=True)
    assert "demo-app-auth-token-0001" not in page and "demo-sign-key-0001" not in page
    assert "••••0001" in page  # the last four characters only
    saved = admin.post(
        "/settings/",
        data=settings_form(app, {
            "meituan_voucher.app_auth_token": "",
            "meituan_voucher.sign_key": "a-brand-new-sign-key-9876",
            "meituan_voucher.base_url": mt.url,
        }),
        follow_redirects=True,
    )
    assert saved.status_code == 200
    with app.app_context():
        assert get_setting("meituan_voucher.app_auth_token") == "demo-app-auth-token-0001"  # blank keeps it
        assert get_setting("meituan_voucher.sign_key") == "a-brand-new-sign-key-9876"
        logged = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_id == "meituan_voucher.sign_key")
            .order_by(AuditLog.id.desc())
        ).first()
        assert logged.detail == {"old": "••••0001", "new": "••••9876"}
    assert "a-brand-new-sign-key-9876" not in admin.get("/settings/").get_data(as_text=True)


def test_admin_lists_are_store_scoped(app, api_as, client_as, mt):
    s1, s2 = mt.new(1)[0], mt.new(1, shop="MT-SHOP-S002")[0]
    assert api_as("pos1").post("/api/v1/pos/meituan/consume", json={"code": s1}).status_code == 201
    assert api_as("cashier2").post("/api/v1/pos/meituan/consume", json={"code": s2}).status_code == 201
    manager = client_as("manager1")
    for path in ("/verificationview/list/", "/platformcallview/list/"):
        page = manager.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert s1 in text and s2 not in text, path
    hq = client_as("hq").get("/verificationview/list/").get_data(as_text=True)
    assert s1 in hq and s2 in hq
    assert client_as("hq").get("/dealmappingview/list/").status_code == 200
    assert client_as("hq").get("/shopbindingview/list/").status_code == 200
    home = client_as("hq").get("/").get_data(as_text=True)
    assert "外卖对接" in home and "美团验券记录" in home  # 组织 → 外卖对接, 美团团购 → …
    assert client_as("hq").get("/reconciliationview/list/").status_code == 200
    assert manager.get("/dealmappingview/list/").status_code == 403
    assert client_as("cashier1").get("/verificationview/list/").status_code == 403


def test_verify_cli_checks_and_consumes_a_demo_voucher(app, mt):
    code = mt.new(1)[0]
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["meituan-verify", code, "--store", "S001"])
    assert checked.exit_code == 0 and "count=1 price_fen=4550" in checked.output, checked.output
    assert mt.state.vouchers[code].state == "UNUSED"
    consumed = runner.invoke(args=["meituan-verify", code, "--store", "S001", "--consume"])
    assert consumed.exit_code == 0 and "MV" in consumed.output, consumed.output
    assert mt.state.vouchers[code].state == "CONSUMED"
    refused = runner.invoke(args=["meituan-verify", code, "--store", "S001"])
    assert refused.exit_code != 0 and "MEITUAN_VOUCHER_USED" in refused.output


def test_deal_mapping_form_refuses_a_product_mapping_without_product(app, client_as):
    from plugins.meituan_voucher.models import DealMapping

    hq = client_as("hq")
    form = hq.get("/dealmappingview/add").get_data(as_text=True)
    assert 'name="mode"' in form and "product" in form
    answer = hq.post(
        "/dealmappingview/add",
        data={"deal_id": "DBAD1", "title": "x", "mode": "product", "qty": "1"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.query(DealMapping).filter_by(deal_id="DBAD1").count() == 0
    answer = hq.post(
        "/dealmappingview/add",
        data={"deal_id": "DOK1", "title": "ok", "mode": "tender", "amount_fen": "30.00", "qty": "1"},
        follow_redirects=True,
    )
    with app.app_context():
        saved = db.session.query(DealMapping).filter_by(deal_id="DOK1").one()
        assert (saved.mode, saved.amount_fen) == ("tender", 3000)


def test_shop_binding_admin_binds_a_store(app, client_as):
    from app.org.models import Store
    from plugins.meituan_voucher.models import ShopBinding

    with app.app_context():
        s3 = db.session.query(Store).filter_by(code="S003").one().id
    hq = client_as("hq")
    hq.post(
        "/shopbindingview/add",
        data={"store": str(s3), "open_shop_uuid": "MT-SHOP-S003", "shop_name": "三店"},
        follow_redirects=True,
    )
    with app.app_context():
        binding = db.session.query(ShopBinding).filter_by(store_id=s3).one()
        assert (binding.open_shop_uuid, binding.active) == ("MT-SHOP-S003", False)  # left unticked


def test_demo_seed_is_idempotent_and_binds_s001(app):
    from app.org.models import Store
    from plugins.meituan_voucher.demo import seed_demo
    from plugins.meituan_voucher.models import DealMapping, ShopBinding

    with app.app_context():
        before = (db.session.query(ShopBinding).count(), db.session.query(DealMapping).count())
        seed_demo()
        assert (db.session.query(ShopBinding).count(), db.session.query(DealMapping).count()) == before
        s1 = db.session.query(Store).filter_by(code="S001").one()
        assert db.session.query(ShopBinding).filter_by(store_id=s1.id).one().open_shop_uuid == "MT-SHOP-S001"
        assert {
            m.deal_id: m.mode
            for m in db.session.query(DealMapping).filter(DealMapping.deal_id.in_(["D100", "D200"]))
        } == {"D100": "product", "D200": "tender"}


def test_simulator_runs_on_its_own(tmp_path):
    import json
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen(
        [sys.executable, "-m", "plugins.meituan_voucher.simulator", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sim/vouchers", timeout=1) as answer:
                    codes = {v["code"] for v in json.loads(answer.read())}
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the simulator did not start")
        assert {"1000000001", "1000000002", "1000000006"} <= codes
    finally:
        proc.terminate()
        proc.wait(10)
