"""CLI commands of the wecom_guide plugin (declared in its manifest's ``COMMANDS``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("wecom-guide-refresh")
@with_appcontext
def refresh_copies():
    """Copy every member's search keys to their ownership row again (after sales booked while
    the plugin was off)."""
    from plugins.wecom_guide.search_copy import refresh_search_copies

    click.echo(f"{refresh_search_copies()} ownership rows brought up to date")


@click.command("wecom-guide-retry-events")
@with_appcontext
def retry_events():
    """Process again, once each, the WeCom callback events a crashed worker left half done."""
    from plugins.wecom_guide.wecom.events import retry_stuck

    click.echo(f"{retry_stuck()} stuck WeCom events processed again")
