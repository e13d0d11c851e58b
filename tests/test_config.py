import stat

import pytest

from tracker import create_app
from tracker.config import database_uri
from tracker.config import instance_secret_key


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://u@db/tracker", "postgresql+psycopg://u@db/tracker"),
    ("postgresql://u@db/tracker", "postgresql+psycopg://u@db/tracker"),
    ("postgresql+psycopg://u@db/tracker", "postgresql+psycopg://u@db/tracker"),
    ("sqlite:////srv/tracker.sqlite", "sqlite:////srv/tracker.sqlite"),
])
def test_database_url_uses_psycopg_3(given, used):
    assert database_uri(given) == used


def test_secret_key_is_made_once_and_kept_private(tmp_path):
    key = instance_secret_key(tmp_path)
    assert len(key) == 64
    assert instance_secret_key(tmp_path) == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_defaults_put_sqlite_and_the_key_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_environment_wins_over_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'SQLALCHEMY_DATABASE_URI = "sqlite:////from/instance.sqlite"\n'
        'SECRET_KEY = "from instance"\nREGISTRATION_OPEN = False\n')
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////from/instance.sqlite"
    assert app.config["SECRET_KEY"] == "from instance"
    assert app.config["REGISTRATION_OPEN"] is False

    monkeypatch.setenv("DATABASE_URL", "postgres://tracker@db.example.org/tracker")
    monkeypatch.setenv("SECRET_KEY", "from environment")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://tracker@db.example.org/tracker"
    assert app.config["SECRET_KEY"] == "from environment"
    assert not (tmp_path / "secret_key").exists()


def test_the_request_limit_follows_the_import_limit(tmp_path):
    from tracker import create_app
    raised = create_app({"SECRET_KEY": "x", "IMPORT_MAX_BYTES": 50 * 1024 * 1024}, instance_path=tmp_path)
    assert raised.config["MAX_CONTENT_LENGTH"] == 51 * 1024 * 1024
    default = create_app({"SECRET_KEY": "x"}, instance_path=tmp_path)
    assert default.config["MAX_CONTENT_LENGTH"] == 21 * 1024 * 1024
    assert create_app({"SECRET_KEY": "x", "MAX_CONTENT_LENGTH": 1000}, instance_path=tmp_path).config["MAX_CONTENT_LENGTH"] == 1000
