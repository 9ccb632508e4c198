"""Jobs, CLI commands and demo data of the plugin."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.platform.jobs import job_progress
from app.unit_of_work import unit_of_work
from plugins.meituan_voucher.signing import business_date


def reconcile_job(job, day: str | None = None, store: str | None = None) -> None:
    from plugins.meituan_voucher.recon import reconcile_all

    results = reconcile_all(
        day or business_date(time.time() - 86400),
        store,
        progress=lambda done, total: job_progress(job, done, total),
    )
    flagged = [f"{r.store.code}:{r.status}" for r in results if r.status != "ok"]
    job.message = f"{len(results)} stores; " + (", ".join(flagged) if flagged else "all ok")


def register_commands(cli) -> None:
    @cli.command("meituan-simulator")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5055, type=int)
    def meituan_simulator(host, port):
        """Run the Meituan open-platform simulator with demo vouchers."""
        from werkzeug.serving import run_simple

        from plugins.meituan_voucher.simulator import create_simulator

        click.echo(f"Meituan simulator on http://{host}:{port} (demo vouchers; Ctrl+C to stop)")
        run_simple(host, port, create_simulator(), threaded=True)  # app.run() is ignored under `flask`

    @cli.command("meituan-reconcile")
    @click.option("--date", "day", default=None, help="yyyy-mm-dd (default: yesterday, China time)")
    @click.option("--store", default=None, help="store code (default: every bound store)")
    @click.option("--enqueue", is_flag=True, help="run as a background job instead")
    @with_appcontext
    def meituan_reconcile(day, store, enqueue):
        """Compare our Meituan verifications of a day with the platform's list, per store."""
        from plugins.meituan_voucher.recon import reconcile_all

        day = day or business_date(time.time() - 86400)
        if enqueue:
            from app.platform.jobs import enqueue_job

            job = enqueue_job("meituan_voucher.reconcile", day=day, store=store)
            click.echo(f"job {job.id} queued")
            return
        for row in reconcile_all(day, store):
            click.echo(
                f"{row.store.code} {day} {row.status} ours={row.ours} platform={row.platform} "
                f"mismatches={len(row.mismatches or [])} {row.message}"
            )

    @cli.command("meituan-verify")
    @click.argument("code")
    @click.option("--store", default="S001")
    @click.option("--consume", is_flag=True, help="also verify (consume) one voucher")
    @with_appcontext
    def meituan_verify(code, store, consume):
        """Check a voucher against the configured platform (the simulator in the demo)."""
        import uuid

        from app.errors import DomainError
        from app.org.models import Store
        from plugins.meituan_voucher.services import consume_voucher, prepare_voucher

        store_row = db.session.query(Store).filter_by(code=store).one()
        try:
            info = prepare_voucher(store_row.id, None, code)
            click.echo(
                f"{code}: {info['deal_title']} count={info['count']} price_fen={info['price_fen']} "
                f"pays={info['mode']} {info['value_fen']} fen"
            )
            if consume:
                with unit_of_work():
                    rows = consume_voucher(store_row.id, None, code, 1, uuid.uuid4().hex)
                click.echo(f"verified: {rows[0].verification_no} ({rows[0].receipt_code})")
        except DomainError as err:
            raise click.ClickException(f"{err.code}: {err.message}") from err


DEMO_BINDINGS = (("S001", "MT-SHOP-S001", "木棉道旗舰店(美团)"), ("S002", "MT-SHOP-S002", "木棉道二店(美团)"))


def seed_demo() -> None:
    """Bind demo stores to simulator shops, point settings at the simulator, map demo deals."""
    with unit_of_work():
        _add_demo_rows()


def _add_demo_rows() -> None:
    from app.catalog.models import Sku
    from app.org.models import Store
    from app.platform.caches import bump_config_version
    from app.platform.models import Setting
    from plugins.meituan_voucher import simulator
    from plugins.meituan_voucher.models import DealMapping, ShopBinding

    for code, shop, name in DEMO_BINDINGS:
        store = db.session.query(Store).filter_by(code=code).one_or_none()
        if store is not None and db.session.query(ShopBinding).filter_by(store_id=store.id).first() is None:
            db.session.add(ShopBinding(store_id=store.id, open_shop_uuid=shop, shop_name=name))
    added_settings = False
    for key, value in (
        ("developer_id", simulator.DEMO_DEVELOPER_ID),
        ("sign_key", simulator.DEMO_SIGN_KEY),
        ("app_auth_token", simulator.DEMO_TOKEN),
        ("refresh_token", simulator.DEMO_REFRESH),
    ):
        if db.session.get(Setting, f"meituan_voucher.{key}") is None:
            db.session.add(Setting(key=f"meituan_voucher.{key}", value=value))
            added_settings = True
    if added_settings:
        bump_config_version()  # running workers cache settings per configuration version
    if db.session.query(DealMapping).filter_by(deal_id="D200").first() is None:
        db.session.add(DealMapping(deal_id="D200", title="50元代金券", mode="tender", amount_fen=5000, qty=1))
    tee = db.session.query(Sku).filter_by(sku_code="P1001-02").one_or_none()
    if tee is not None and db.session.query(DealMapping).filter_by(deal_id="D100").first() is None:
        db.session.add(
            DealMapping(deal_id="D100", title="纯棉T恤团购券", mode="product", sku_id=tee.id, qty=1)
        )
