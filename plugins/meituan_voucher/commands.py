"""CLI commands of the Meituan voucher plugin (declared in its manifest's ``COMMANDS``)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.unit_of_work import unit_of_work
from plugins.meituan_voucher.signing import business_date


@click.command("meituan-simulator")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5055, type=int)
def meituan_simulator(host, port):
    """Run the Meituan open-platform simulator with demo vouchers."""
    from werkzeug.serving import run_simple

    from plugins.meituan_voucher.simulator import create_simulator

    click.echo(f"Meituan simulator on http://{host}:{port} (demo vouchers; Ctrl+C to stop)")
    run_simple(host, port, create_simulator(), threaded=True)  # app.run() is ignored under `flask`


@click.command("meituan-reconcile")
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


@click.command("meituan-verify")
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
