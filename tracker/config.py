"""Configuration: defaults, then instance/config.py, then the environment, then the caller's."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def load_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'tracker.sqlite'}",
        #: anyone may create an account; set False on an instance for a closed team
        REGISTRATION_OPEN=True,
        #: largest schedule file or download accepted for import, in bytes
        IMPORT_MAX_BYTES=20 * 1024 * 1024,
        #: seconds to wait for a schedule URL to answer
        IMPORT_TIMEOUT=20,
        #: whether schedule URLs given on the web may point into the local network (the
        #: command line always may: whoever runs it is on the host already)
        IMPORT_ALLOW_PRIVATE_ADDRESSES=False,
        #: where this instance is served, for links in files exported from the command line
        BASE_URL="http://127.0.0.1:5000",
        #: how long a page's forms stay good: a conference week, since a schedule tab stays
        #: open for days (the token is tied to the login's session all the same)
        WTF_CSRF_TIME_LIMIT=7 * 24 * 3600,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    app.config.from_pyfile("config.py", silent=True)
    if url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(url)
    if key := os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = key
    if overrides:
        app.config.update(overrides)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        # the largest request body: an upload of the largest schedule, plus the form around it
        app.config["MAX_CONTENT_LENGTH"] = app.config["IMPORT_MAX_BYTES"] + 1024 * 1024
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance)


def database_uri(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def instance_secret_key(instance: Path) -> str:
    """The instance's own secret key, made on first use and kept in the instance folder.

    Several processes on one host share the file. Several hosts must instead share one
    SECRET_KEY through the environment, or their session cookies would not agree.
    """
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(key)
    return key
