"""tracker: a self-hosted conference talk tracker."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli
from . import views
from .config import load_config
from .extensions import csrf
from .extensions import db
from .extensions import login_manager
from .extensions import migrate
from .extensions import render_migration_item

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the app.

    :param config: settings that override every other source (tests pass theirs here)
    :param instance_path: the instance folder, if not ./instance beside the package
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path,
                template_folder=str(TEMPLATES))
    load_config(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if proxies := app.config.get("BEHIND_PROXIES"):
        # trust X-Forwarded-Proto/-Host from this many proxies, so that links say https
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True,
                     render_item=render_migration_item)
    csrf.init_app(app)
    login_manager.init_app(app)
    views.init_app(app)
    cli.init_app(app)
    return app
