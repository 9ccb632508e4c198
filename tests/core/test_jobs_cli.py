"""Background jobs with progress, and the CLI commands."""

from app.extensions import db
from app.org.models import Store
from app.platform.jobs import enqueue_job
from app.platform.models import Job
from app.platform.staff import Staff
from tests.support.settings import current_settings, kept_settings, settings_form


def test_job_runs_and_reports_progress(app_ctx):
    job = enqueue_job("sample.count_notes", batch=1)
    job = db.session.get(Job, job.id)
    assert job.status == "done"
    assert job.progress == 100 and job.total == job.done > 0
    assert job.message.endswith("notes")


def test_failing_job_is_recorded(app_ctx):
    job = enqueue_job("sample.fail")
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and "always fails" in job.message


def test_jobs_page_shows_a_progress_bar(app, admin_client):
    with app.app_context():
        enqueue_job("sample.count_notes", batch=2)
    html = admin_client.get("/jobview/list/").get_data(as_text=True)
    assert 'class="progress-bar"' in html and "sample.count_notes" in html


def test_seed_demo_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    with app.app_context():
        before = (db.session.query(Store).count(), db.session.query(Staff).count())
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "(0 new records)" in result.output
    with app.app_context():
        assert (db.session.query(Store).count(), db.session.query(Staff).count()) == before
        codes = {(s.code, s.kind) for s in db.session.query(Store)}
        assert {("S001", "direct"), ("S002", "direct"), ("S003", "franchise")} <= codes


def test_demo_users_have_their_roles_and_stores(app_ctx):
    sm = app_ctx.appbuilder.sm
    expected = {
        "admin": ("Admin", None), "hq": ("Merchant", None), "manager1": ("StoreManager", "S001"),
        "cashier1": ("Cashier", "S001"), "guide1": ("Guide", "S001"), "pos1": ("POS", "S001"),
        "cashier2": ("Cashier", "S002"), "provider1": ("ServiceProvider", None),
    }
    for username, (role, store_code) in expected.items():
        user = sm.find_user(username=username)
        assert [r.name for r in user.roles] == [role]
        staff = db.session.query(Staff).filter_by(user_id=user.id).one()
        assert (staff.store.code if staff.store else None) == store_code


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--username", "boss", "--password", "s3cret-pass"])
    try:
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["create-admin", "--username", "boss", "--password", "s3cret-pass"])
        assert again.exit_code == 1 and "already exists" in again.output
    finally:  # an extra Admin would receive the messages other tests send to HQ
        with app.app_context():
            boss = app.appbuilder.sm.find_user(username="boss")
            if boss is not None:
                db.session.delete(boss)
                db.session.commit()


def test_settings_page_validates_and_saves(app, client_as):
    from app.platform.settings import get_setting

    client = client_as("hq")
    assert "sample.limit" in client.get("/settings/").get_data(as_text=True)
    with kept_settings(app, {"sample.loud": True}):
        page = client.post("/settings/", data=settings_form(app, {"sample.limit": "500"}),
                           follow_redirects=True)
        assert "不能大于" in page.get_data(as_text=True)
        before = current_settings(app)
        saved = client.post("/settings/", data=settings_form(app, {"sample.limit": "7", "sample.loud": None}))
        assert saved.status_code == 302
        after = current_settings(app)
        assert (after.pop("sample.limit"), after.pop("sample.loud")) == (7, False)  # loud unticked
        assert after == {k: v for k, v in before.items() if k not in ("sample.limit", "sample.loud")}
        refused = client_as("cashier1").post("/settings/", data=settings_form(app, {"sample.limit": "1"}))
        assert refused.status_code == 403
        with app.app_context():
            assert get_setting("sample.limit") == 7
