"""``flask --app run points-reset resume``: resume failed or stalled points resets by hand (the
job worker resumes stalled ones by itself; a failed one waits for this or the Resume button)."""

import click
from flask.cli import AppGroup

reset_cli = AppGroup("points-reset", help="Points resets of the points mall (积分清零).")


@reset_cli.command("resume")
def resume_command():
    """Queue a new job for every failed or stalled reset; each continues after its checkpoint."""
    from plugins.points_mall.reset.services import resume_stalled

    resumed = resume_stalled()
    click.echo(f"Resumed {len(resumed)} points reset(s){': ' + ', '.join(resumed) if resumed else ''}.")
