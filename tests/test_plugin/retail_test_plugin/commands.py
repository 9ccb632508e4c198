"""CLI commands of the sample plugin (its manifest's ``COMMANDS``)."""

import click


@click.command("sample-hello")
def sample_hello():
    click.echo("hello from sample")
