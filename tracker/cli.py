"""Command-line tools: `flask --app tracker <command>`. (`db upgrade` comes from Flask-Migrate.)"""

import click
from flask import Flask

from .demo import load_demo
from .extensions import db
from .services.accounts import create_user
from .services.accounts import find_user


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)


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
