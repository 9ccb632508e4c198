"""Points reset (积分清零, F1.7) through the admin: HQ form, scopes, "earned before", the ledger rows
(reason for members, remark for the back office), running twice, roles."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from tests.support.points_reset import (
    balance,
    earn,
    ledger_sum,
    make_member,
    positive_balances,
    reset_rows,
    start_reset,
)
from tests.support.privacy import privacy_fixture  # noqa: F401 (fixtures)

RESETS = "/pointsresetview"
LONG_AGO = datetime(2025, 1, 10, 12, 0)


def _reset(reset_id):
    from plugins.points_mall.models import PointsReset

    db.session.expire_all()
    return db.session.get(PointsReset, reset_id)


def test_hq_resets_every_member_through_the_form(app, client_as):
    with app.app_context():
        ids = [make_member(points=30), make_member("S002", points=70), make_member(points=0)]
        before = positive_balances()
    hq = client_as("hq")
    page = hq.get(f"{RESETS}/add")
    assert page.status_code == 200 and 'name="reason"' in page.get_data(as_text=True)
    form = {"reason": "年度积分清零", "remark": "董事会决议 2026-11", "scope": "all"}
    preview = hq.post(f"{RESETS}/add", data=form)
    assert preview.status_code == 200
    assert f"{len(before)} 位会员" in preview.get_data(as_text=True)  # the count before the start
    started = hq.post(f"{RESETS}/add", data={**form, "confirm": "1"})
    assert started.status_code == 302 and f"{RESETS}/show/" in started.headers["Location"]
    reset_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        reset = _reset(reset_id)
        assert (reset.status, reset.member_count, reset.points_total) == (
            "completed", len(before), sum(before.values()))
        assert reset.remark == "董事会决议 2026-11" and reset.reset_no.startswith("PR")
        reset_no = reset.reset_no
        assert positive_balances() == {}
        for member_id, points in ((ids[0], 30), (ids[1], 70)):
            (row,) = reset_rows(member_id)
            assert (row.points, row.balance_after, row.store_id) == (-points, 0, None)
            assert row.note == "年度积分清零"
            assert row.doc_no.startswith("PRM") and row.doc_no[11:13] == "HQ"  # PRM20261127HQ0001
            assert balance(member_id) == ledger_sum(member_id) == 0
        assert reset_rows(ids[2]) == []  # nothing to reset: no row
        doc_nos = [r.doc_no for m in before for r in reset_rows(m)]
        assert len(set(doc_nos)) == len(before)  # each member's row has its own number
    show = hq.get(f"{RESETS}/show/{reset_id}").get_data(as_text=True)
    assert "董事会决议 2026-11" in show and "年度积分清零" in show and reset_no in show
    listing = hq.get(f"{RESETS}/list/").get_data(as_text=True)
    assert reset_no in listing and "已完成" in listing


def test_remark_stays_in_the_back_office(app, client_as):
    with app.app_context():
        member_id = make_member(points=25)
        reset = start_reset(reason="系统升级清零", remark="内部备注不外传", scope="stores",
                            store_ids=[_store("S001")])
        (row,) = reset_rows(member_id)
        assert row.note == "系统升级清零" and "内部备注" not in row.note
        assert _reset(reset.id).remark == "内部备注不外传"
        row_id = row.id
    # the ledger row as the core's points ledger shows it: the reason, never the remark
    ledger = client_as("hq").get(f"/pointsledgerview/show/{row_id}").get_data(as_text=True)
    assert "系统升级清零" in ledger and "内部备注不外传" not in ledger


def _store(code):
    from app.org.models import Store

    return db.session.scalars(select(Store.id).where(Store.code == code)).one()


def _level(code):
    from app.members.models import MemberLevel

    return db.session.scalars(select(MemberLevel.id).where(MemberLevel.code == code)).one()


def test_scope_by_home_stores_and_by_level(app):
    from app.members.models import MemberLevel

    with app.app_context():
        codes = db.session.scalars(select(MemberLevel.code).order_by(MemberLevel.threshold_fen)).all()
        s1, s2, s3 = make_member("S001", 10), make_member("S002", 20), make_member("S003", 30)
        no_store = make_member(None, 40)
        by_store = start_reset(scope="stores", store_ids=[_store("S002"), _store("S003")])
        assert [balance(m) for m in (s1, s2, s3, no_store)] == [10, 0, 0, 40]
        assert _reset(by_store.id).status == "completed"
        gold = make_member("S001", 50, level_code=codes[-1])
        plain = make_member("S001", 60, level_code=codes[0])
        by_level = start_reset(scope="level", level_id=_level(codes[-1]))
        assert (balance(gold), balance(plain), balance(s1)) == (0, 60, 10)
        assert _reset(by_level.id).points_total >= 50


def test_only_points_earned_before_a_date(app):
    from app.loyalty.services import change_points

    with app.app_context():
        kept_all = make_member(points=50)  # all earned today: nothing to reset
        old_and_new = make_member(points=100, earned_on=LONG_AGO)
        earn(old_and_new, 40)
        spent = make_member(points=100, earned_on=LONG_AGO)  # 100 old, 80 spent today, 40 new
        change_points(spent, -80, "redeem", "TEST-REDEEM", None)
        earn(spent, 40)
        overspent = make_member(points=30, earned_on=LONG_AGO)  # spent more than the old points
        change_points(overspent, -20, "redeem", "TEST-REDEEM", None)
        earn(overspent, 50)
        old_only = make_member("S002", points=70, earned_on=LONG_AGO)
        today = datetime.now().date().isoformat()
        stores = [_store("S001"), _store("S002")]
        start_reset(scope="stores", store_ids=stores, earned_before=today)
        members = (kept_all, old_and_new, spent, overspent, old_only)
        assert [balance(m) for m in members] == [50, 40, 40, 50, 0]
        assert [r.points for m in (old_and_new, spent, overspent, old_only) for r in reset_rows(m)] == [
            -100, -20, -10, -70]
        assert reset_rows(kept_all) == []
        for member_id in (kept_all, old_and_new, spent, overspent, old_only):
            assert balance(member_id) == ledger_sum(member_id)
        again = start_reset(scope="stores", store_ids=stores, earned_before=today)
        assert _reset(again.id).member_count == 0  # the same reset again changes nothing


def test_running_the_same_reset_twice_changes_nothing(app):
    from app.loyalty.models import PointsTxn
    from plugins.points_mall.reset.services import run_reset

    with app.app_context():
        member_id = make_member(points=90)
        reset = start_reset()
        rows = db.session.query(PointsTxn).count()
        assert run_reset(reset.id) is None  # a completed reset: nothing to do
        second = start_reset()  # a new reset of the same members: all at 0 already
        assert _reset(second.id).member_count == 0 and _reset(second.id).status == "completed"
        assert db.session.query(PointsTxn).count() == rows
        assert len(reset_rows(member_id)) == 1 and balance(member_id) == 0


def test_points_earned_after_the_reset_are_kept(app):
    with app.app_context():
        member_id = make_member(points=15)
        start_reset()
        earn(member_id, 8)
        assert balance(member_id) == ledger_sum(member_id) == 8


def test_small_batches_reset_each_member_once(app):
    from app.platform.settings import set_setting

    with app.app_context():
        set_setting("points_mall.reset_batch_size", 1)
        ids = [make_member(points=p) for p in (5, 6, 7)]
        reset = start_reset(scope="stores", store_ids=[_store("S001")])
        done = _reset(reset.id)
        assert done.checkpoint_member_id == done.upper_member_id and done.status == "completed"
        assert [len(reset_rows(m)) for m in ids] == [1, 1, 1]
        indexes = sorted(int(r.doc_no[13:]) for m in ids for r in reset_rows(m))
        assert indexes == list(range(indexes[0], indexes[0] + 3))  # numbered in one block sequence


def test_bad_form_input_keeps_the_form_and_starts_nothing(app, client_as):
    from plugins.points_mall.models import PointsReset

    hq = client_as("hq")
    with app.app_context():
        count = db.session.query(PointsReset).count()
    cases = [
        ({"reason": "x", "scope": "all"}, "2 到 100"),
        ({"reason": "清零", "scope": "level", "level_id": "999999"}, "会员等级"),
        ({"reason": "清零", "scope": "stores"}, "门店"),
        ({"reason": "清零", "scope": "nope"}, "范围"),
        ({"reason": "清零", "scope": "all", "earned_before": "2026-13-45"}, "YYYY-MM-DD"),
        ({"reason": "清零", "scope": "all", "remark": "长" * 501}, "500"),
    ]
    for data, message in cases:
        page = hq.post(f"{RESETS}/add", data={**data, "confirm": "1"})
        assert page.status_code == 200, data
        text = page.get_data(as_text=True)
        assert "has-error" in text and message in text, (data, message)
        assert 'value="清零"' in text or data["reason"] == "x"  # what was typed stays
    with app.app_context():
        assert db.session.query(PointsReset).count() == count


def test_only_hq_resets_points(app, client_as):
    from plugins.points_mall.models import PointsReset

    with app.app_context():
        count = db.session.query(PointsReset).count()
    for username in ("manager1", "cashier1", "guide1"):
        client = client_as(username)
        assert client.get(f"{RESETS}/list/").status_code == 403
        assert client.get(f"{RESETS}/add").status_code == 403
        refused = client.post(f"{RESETS}/add", data={"reason": "越权清零", "scope": "all", "confirm": "1"})
        assert refused.status_code == 403
    with app.app_context():
        assert db.session.query(PointsReset).count() == count
    assert client_as("admin").get(f"{RESETS}/list/").status_code == 200
    assert client_as("hq").get(f"{RESETS}/edit/1").status_code == 404


def test_resume_refused_for_a_running_or_finished_reset(app):
    from app.errors import DomainError
    from plugins.points_mall.reset.services import resume_reset

    with app.app_context():
        make_member(points=3)
        reset = start_reset()
        try:
            resume_reset(reset.id)
        except DomainError as exc:
            assert exc.code == "POINTS_RESET_NOT_RESUMABLE"
        else:
            raise AssertionError("a completed reset was resumed")


def test_stalled_reset_is_resumed_from_its_checkpoint(app, client_as):
    """A worker that stopped after some batches (simulated: the reset row as it left it) is
    resumed from the admin; the members before the checkpoint are not reset again."""
    from app.docnumbers.services import next_doc_no
    from plugins.points_mall.models import PointsReset
    from plugins.points_mall.reset.services import RESET_DOC

    with app.app_context():
        first, second = make_member(points=11), make_member(points=22)
        stalled = PointsReset(reset_no=next_doc_no(RESET_DOC), reason="中断后继续", remark="", scope="all",
                              status="processing", upper_member_id=second, checkpoint_member_id=first,
                              heartbeat_on=datetime.now() - timedelta(hours=1))
        db.session.add(stalled)
        db.session.commit()
        stalled_id = stalled.id
    hq = client_as("hq")
    assert "resume" in hq.get(f"{RESETS}/show/{stalled_id}").get_data(as_text=True)
    answer = hq.post(f"{RESETS}/action/resume/{stalled_id}")
    assert answer.status_code == 302
    with app.app_context():
        done = _reset(stalled_id)
        assert done.status == "completed" and done.job_id is not None
        assert balance(first) == 11 and reset_rows(first) == []  # before the checkpoint: done already
        assert balance(second) == 0 and [r.points for r in reset_rows(second)] == [-22]


def test_the_worker_resumes_a_stalled_reset_by_itself_but_not_a_failed_or_live_one(app):
    """The periodic task (run by every job worker at start and each minute) resumes a reset
    whose worker went quiet for the stall time; a failed reset waits for a person, and one
    whose worker committed a batch just now is left to it."""
    from app.docnumbers.services import next_doc_no
    from app.platform.jobs import run_periodic_tasks
    from plugins.points_mall.models import PointsReset
    from plugins.points_mall.reset.services import RESET_DOC

    def left_by_a_worker(status, minutes_ago, first, last):
        reset = PointsReset(reset_no=next_doc_no(RESET_DOC), reason="自动继续", remark="", scope="all",
                            status=status, upper_member_id=last, checkpoint_member_id=first,
                            heartbeat_on=datetime.now() - timedelta(minutes=minutes_ago))
        db.session.add(reset)
        db.session.commit()
        return reset.id

    with app.app_context():
        done_before, first, second = make_member(points=5), make_member(points=11), make_member(points=22)
        stalled = left_by_a_worker("processing", 11, done_before, second)  # stall time: 10 minutes
        live = left_by_a_worker("processing", 1, first, second)
        failed = left_by_a_worker("failed", 60, first, second)
    assert "points_mall.resume_resets" not in run_periodic_tasks(app)
    with app.app_context():
        assert _reset(stalled).status == "completed" and _reset(stalled).job_id is not None
        assert [r.points for r in reset_rows(first)] == [-11] and balance(second) == 0
        assert balance(done_before) == 5  # before the checkpoint: not reset again
        assert (_reset(live).status, _reset(live).job_id) == ("processing", None)
        assert (_reset(failed).status, _reset(failed).job_id) == ("failed", None)
    assert "points_mall.resume_resets" not in run_periodic_tasks(app)  # nothing left: nothing changes
    with app.app_context():
        assert [r.points for r in reset_rows(first)] == [-11]


def test_scope_by_share_group_through_the_core_member_segments(app, client_as, privacy):
    """member_privacy's share groups are core member segments: the form offers them and the
    reset touches only the members whose home store is in the group."""
    east = privacy.group("华东清零组", "S002", "S003")
    with app.app_context():
        inside, other, homeless = make_member("S002", 12), make_member("S001", 13), make_member(None, 14)
    hq = client_as("hq")
    form = hq.get(f"{RESETS}/add").get_data(as_text=True)
    assert f'value="share_group:{east}"' in form and "华东清零组" in form
    data = {"reason": "共享组清零", "scope": "segment", "segment_key": f"share_group:{east}", "confirm": "1"}
    assert hq.post(f"{RESETS}/add", data=data).status_code == 302
    with app.app_context():
        assert (balance(inside), balance(other), balance(homeless)) == (0, 13, 14)
    refused = hq.post(f"{RESETS}/add", data={**data, "segment_key": "share_group:999999"})
    assert refused.status_code == 200 and "has-error" in refused.get_data(as_text=True)


def test_members_see_the_reason_in_their_mall_points_history_not_the_remark(app):
    from app.mall.services import issue_member_token
    from app.members.models import Member

    with app.app_context():
        member_id = make_member(points=66)
        start_reset(reason="会员积分年度清零", remark="仅后台：财务对账用", scope="stores",
                    store_ids=[_store("S001")])
        token = issue_member_token(db.session.get(Member, member_id))
    answer = app.test_client().get("/api/v1/mall/points-mall/points",
                                   headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    newest = answer.get_json()["result"][0]
    assert (newest["kind"], newest["points"], newest["balance_after"]) == ("reset", -66, 0)
    assert newest["note"] == "会员积分年度清零" and newest["doc_no"].startswith("PRM")
    assert "财务对账" not in answer.get_data(as_text=True)
