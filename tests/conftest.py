"""Fixtures: one schema per run, built by the migrations; every test starts from empty tables.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

import os
import threading
from collections.abc import Iterator

from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask import g
from flask import request_started
from flask.testing import FlaskClient
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tracker import create_app
from tracker.config import database_uri
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.services.accounts import create_user


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if url := os.environ.get("TEST_DATABASE_URL"):
        return database_uri(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracker.sqlite'}"


def make_app(database_url: str, instance_path, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        **overrides,
    }
    return create_app(config, instance_path=str(instance_path))


def drop_everything() -> None:
    """Empty the database, whatever an earlier run left in it."""
    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    metadata.drop_all(db.engine)


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory) -> None:
    """Create the schema once for the run, from an empty database, with `flask db upgrade`."""
    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        drop_everything()
        flask_migrate.upgrade()
        db.engine.dispose()


def empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def app_config() -> dict:
    """Settings a test module may override, such as WTF_CSRF_ENABLED."""
    return {}


def fresh_g(sender, **extra) -> None:
    """Each request starts with an empty `g`, as in production. Tests keep one app context
    open across requests (to use the database between them), and `g` lives as long as
    the app context: without this the last request's user and CSRF token would leak
    into the next."""
    g.__dict__.clear()


@pytest.fixture
def app(_schema, database_url, tmp_path, app_config) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "instance", **app_config)
    request_started.connect(fresh_g, app)
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The LinuxCon / KVM Forum 2011 demo, loaded as `flask demo` loads it."""
    login = load_demo()
    db.session.commit()
    return login


@pytest.fixture
def user(app):
    user = create_user("ada@example.org", "correct horse", display_name="Ada")
    db.session.commit()
    return user


@pytest.fixture
def admin(app):
    admin = create_user("root@example.org", "admin password", is_admin=True)
    db.session.commit()
    return admin


class Auth:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email="ada@example.org", password="correct horse"):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def logged_in(user, auth) -> Auth:
    response = auth.login()
    assert response.status_code == 302, "the test user could not log in"
    return auth


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served over HTTP on 127.0.0.1 for the browser, from a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


CHROMIUM = Path("/usr/bin/chromium")
#: the flags a headless Chromium needs on these machines: no sandbox as root, and no
#: background connections to Google, which the closed network refuses
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: how long an expect() or an action waits before failing, in milliseconds
TIMEOUT = 10_000
expect.set_options(timeout=TIMEOUT)


def chromium_missing() -> str:
    return (f"Debian's Chromium is not installed at {CHROMIUM}; the browser tests need it "
            "(apt-get install chromium). Do not run `playwright install`.")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright; a browser is never downloaded."""
    if not CHROMIUM.exists():
        pytest.fail(chromium_missing(), pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, **context_options) -> Page:
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT)
    return context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    """A fresh page (own cookies) on a desktop-sized window; closed before the server stops."""
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser, live_server) -> Iterator[Page]:
    """A page on a phone-sized screen that honours <meta name="viewport">, as a phone does."""
    page = new_page(browser, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    yield page
    page.context.close()
