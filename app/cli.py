"""CLI: ``flask --app run db upgrade | seed-demo | create-admin | worker | plugins``."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext


def _sync_roles() -> None:
    from app.plugins import plugin_host

    current_app.appbuilder.sm.sync_roles(plugin_host().role_grants())


db_cli = AppGroup("db", help="Database schema (Alembic: core + one branch per plugin).")


@db_cli.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision):
    """Bring the core and every installed plugin to its head, then sync roles."""
    from app import migrations

    migrations.upgrade(revision)
    _sync_roles()
    click.echo("Database upgraded; roles synced.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Downgrade to REVISION (e.g. ``myplugin@base`` to drop one plugin's tables)."""
    from app import migrations

    migrations.downgrade(revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True)
@click.option("--head", default="heads")
@click.option("--branch-label")
@click.option("--version-path")
@click.option("--depends-on")
def db_revision(message, autogenerate, head, branch_label, version_path, depends_on):
    """Create a revision (plugins: ``--head core@head --branch-label NAME --version-path DIR``)."""
    from alembic import command

    from app.migrations import alembic_config

    command.revision(
        alembic_config(),
        message=message,
        autogenerate=autogenerate,
        head=head,
        branch_label=branch_label,
        version_path=version_path,
        depends_on=depends_on,
    )


@db_cli.command("current")
def db_current():
    from alembic import command

    from app.migrations import alembic_config

    command.current(alembic_config(), verbose=False)


@db_cli.command("heads")
def db_heads():
    from alembic import command

    from app.migrations import alembic_config

    command.heads(alembic_config(), verbose=False)


@click.command("sync-roles")
@with_appcontext
def sync_roles_command():
    """Re-sync the product roles with core and plugin grants."""
    _sync_roles()
    click.echo("Roles synced.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create demo stores, users and data (idempotent)."""
    from app.demo import seed_demo

    created = seed_demo(password=os.environ.get("DEMO_PASSWORD", "demo1234"))
    click.echo(f"Demo data ready ({created} new records).")


@click.command("create-admin")
@click.option("--username", default="admin", show_default=True)
@click.option("--email", default="admin@example.com", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin_command(username, email, password):
    """Create an Admin user."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username=username):
        raise click.ClickException(f"user {username!r} already exists")
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user = sm.add_user(username, username, "", email, sm.find_role("Admin"), password)
    if not user:
        raise click.ClickException("could not create the user (run `db upgrade` first?)")
    click.echo(f"Admin {username!r} created.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True)
@with_appcontext
def worker_command(workers):
    """Run the background job consumer (Huey)."""
    from app.platform.jobs import run_periodic_tasks

    huey = current_app.extensions["retail_jobs"]["huey"]
    huey.immediate = False
    consumer = huey.create_consumer(workers=workers, worker_type="thread")
    click.echo(f"Job worker started ({type(huey).__name__}, {workers} threads).")
    run_periodic_tasks(current_app._get_current_object())  # what a dead worker left: resume it now
    consumer.run()


plugins_cli = AppGroup("plugins", help="List, enable, disable and write (new) plugins.")


@plugins_cli.command("list")
def plugins_list():
    from app.plugins import plugin_host

    host = plugin_host()
    enabled = host.enabled_names()
    for name, info in sorted(host.plugins.items()):
        state = "enabled" if name in enabled else "disabled"
        hooks = ", ".join(host.hook_names(name))
        deps = ", ".join(info.depends) or "-"
        click.echo(f"{name} {info.version} [{state}] depends: {deps}; hooks: {hooks}")


@plugins_cli.command("enable")
@click.argument("name")
def plugins_enable(name):
    _toggle(name, True)


@plugins_cli.command("disable")
@click.argument("name")
def plugins_disable(name):
    _toggle(name, False)


@plugins_cli.command("new")
@click.argument("name")
@click.option("--dest", default=".", show_default=True, type=click.Path(file_okay=False),
              help="directory to write retail_NAME/ into")
def plugins_new(name, dest):
    """Write a complete, working, tested skeleton plugin NAME (see docs/plugin_hooks.md)."""
    from pathlib import Path

    from app.plugins import plugin_host
    from app.scaffold import ScaffoldError, write

    try:
        root = write(name, Path(dest), taken=set(plugin_host().packages))
    except ScaffoldError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"{root}: pip install -e {root} && flask --app run db upgrade; "
               f"tests: python -m pytest {root / 'tests'}")


def _toggle(name: str, enabled: bool) -> None:
    from app.plugins import PluginToggleRefused, plugin_host

    try:
        plugin_host().set_enabled(name, enabled)
    except PluginToggleRefused as refused:
        raise click.ClickException(str(refused.message)) from refused
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'}")


def register_cli(app, host) -> None:
    for command in (
        db_cli,
        plugins_cli,
        sync_roles_command,
        seed_demo_command,
        create_admin_command,
        worker_command,
    ):
        app.cli.add_command(command)
    host.add_commands(app.cli)
