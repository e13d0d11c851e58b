"""`flask db upgrade` builds, from an empty database, exactly the schema the models declare."""

import os
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import make_app

from tracker.config import database_uri
from tracker.extensions import db
from tracker.search import INDEX_OBJECTS
from tracker.search import is_model_object
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import Talk


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A database of its own: a new SQLite file, or a new schema in the PostgreSQL database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    url = database_uri(url)
    schema = f"migrations_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def tables(engine) -> set[str]:
    """The tables the models declare (the search engine's own tables aside)."""
    return {name for name in sa.inspect(engine).get_table_names() if not name.startswith(INDEX_OBJECTS)}


def test_upgrade_from_empty_to_head_matches_the_models(empty_database, tmp_path):
    app = make_app(empty_database, tmp_path / "instance")
    with app.app_context():
        assert tables(db.engine) == set()
        flask_migrate.upgrade()
        assert tables(db.engine) == set(db.metadata.tables) | {"alembic_version"}
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": is_model_object})
            assert compare_metadata(context, db.metadata) == []

        flask_migrate.downgrade(revision="base")
        assert tables(db.engine) == {"alembic_version"}
        flask_migrate.upgrade()
        assert "talk" in tables(db.engine)
        db.engine.dispose()


def test_upgrade_keeps_existing_rows(empty_database, tmp_path):
    """Data written under the first schema survives every later migration."""
    app = make_app(empty_database, tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade(revision="67a2b0507cf2")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO conference (id, slug, name, timezone, start_date, end_date, venue, url,"
                " description, created_at, updated_at) VALUES (1, 'c', 'C', 'UTC', '2011-08-17',"
                " '2011-08-19', '', '', '', '2011-01-01 00:00:00', '2011-01-01 00:00:00')",
                "INSERT INTO talk (id, conference_id, uid, title, subtitle, abstract, description,"
                " kind, language, starts_at, ends_at, status, url, slides_url, video_url, created_at,"
                " updated_at) VALUES (1, 1, 'u@tracker', 'T', '', '', '', 'talk', '',"
                " '2011-08-17 10:00:00', '2011-08-17 11:00:00', 'confirmed', '', '', '',"
                " '2011-01-01 00:00:00', '2011-01-01 00:00:00')",
                "INSERT INTO \"user\" (id, email, password_hash, display_name, feed_token, is_admin,"
                " created_at) VALUES (1, 'a@example.org', 'x', '', 't', false, '2011-01-01 00:00:00')",
                "INSERT INTO agenda_entry (id, user_id, talk_id, status, created_at, updated_at)"
                " VALUES (1, 1, 1, 'going', '2011-01-01 00:00:00', '2011-01-01 00:00:00')",
            ):
                connection.execute(sa.text(statement))
        flask_migrate.upgrade()
        assert str(db.session.get(Conference, 1).day_change) == "00:00:00"
        assert db.session.get(Talk, 1).links == []
        assert db.session.get(AgendaEntry, 1).seen_at.tzinfo is not None
        db.session.remove()
        db.engine.dispose()
