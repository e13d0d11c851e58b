"""Command-line tools: `flask --app tracker <command>`. (`db upgrade` comes from Flask-Migrate.)"""

import sys

import click
from flask import Flask
from flask import current_app
from sqlalchemy.exc import DataError
from sqlalchemy.exc import IntegrityError

from .demo import load_demo
from .exporters import EXPORTERS
from .extensions import db
from .importers import IMPORTERS
from .importers import ScheduleError
from .services.accounts import create_user
from .services.accounts import find_user
from .selections import conference_selection
from .services.imports import content_hash
from .services.imports import find_conference
from .services.imports import parse_schedule
from .services.imports import save_schedule
from .services.imports import slug_for
from .sources import read_source


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)


@click.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="May delete conferences.")
@click.option("--name", "display_name", default="", help="Name shown to others.")
@click.password_option(help="Asked for when not given.")
def create_user_command(email: str, admin: bool, display_name: str, password: str) -> None:
    """Create an account that can log in with EMAIL."""
    if find_user(email) is not None:
        raise click.ClickException(f"{email} has an account already.")
    if len(password) < 8:
        raise click.ClickException("Use a password of at least 8 characters.")
    user = create_user(email, password, display_name=display_name, is_admin=admin)
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'user'} {user.email}.")


@click.command("demo")
def demo_command() -> None:
    """Load the LinuxCon North America 2011 / KVM Forum 2011 demo (again, without duplicates)."""
    login = load_demo()
    db.session.commit()
    click.echo("Loaded the demo: LinuxCon North America 2011 and KVM Forum 2011.")
    click.echo(f"Log in as {login.email} with the password {login.password}")


@click.command("import")
@click.argument("source")
@click.option("--conference", "slug", help="Slug of the conference to create or update "
              "(default: from the schedule's acronym or title).")
@click.option("--format", "format", type=click.Choice(sorted(IMPORTERS)),
              help="Default: detected from the content.")
@click.option("--timezone", help="IANA zone for times the file gives without one "
              "(default: the file's, or the existing conference's).")
def import_command(source: str, slug: str | None, format: str | None, timezone: str | None) -> None:
    """Import or re-import a schedule from SOURCE, a file or an http(s) URL.

    Sessions are matched by the source's ids: a re-import updates them in place, cancels
    those that left the schedule, and keeps every note, plan and link. All or nothing.
    """
    try:
        data = read_source(source, max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                           timeout=current_app.config["IMPORT_TIMEOUT"])
        parsed, format = parse_schedule(data, format=format, timezone=timezone, slug=slug)
        with click.progressbar(length=len(parsed.talks), label="Saving sessions",
                               file=sys.stderr) as bar:
            report = save_schedule(parsed, slug=slug or slug_for(parsed), source=source,
                                   format=format, content_hash=content_hash(data), progress=bar.update)
        db.session.commit()
    except ScheduleError as exc:
        db.session.rollback()
        raise click.ClickException(f"{source}: {exc}. Nothing was imported.") from exc
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        raise click.ClickException(f"{source}: the database refused the schedule "
                                   f"({exc.orig}). Nothing was imported.") from exc
    click.echo(report.summary())


@click.command("export")
@click.argument("slug")
@click.option("--format", "format", type=click.Choice(sorted(EXPORTERS)), default="ics", show_default=True)
@click.option("--output", type=click.File("wb"), default="-", help="Default: standard output.")
def export_command(slug: str, format: str, output) -> None:
    """Export the conference SLUG as iCalendar, frab XML or frab JSON.

    Links back to session pages start with the BASE_URL setting.
    """
    conference = find_conference(slug)
    if conference is None:
        raise click.ClickException(f"no conference has the short name {slug}")
    output.write(EXPORTERS[format].render(conference_selection(conference, current_app.config["BASE_URL"])))
