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
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_from_empty_to_head_matches_the_models(empty_database, tmp_path):
    app = make_app(empty_database, tmp_path / "instance")
    with app.app_context():
        assert tables(db.engine) == set()
        flask_migrate.upgrade()
        assert tables(db.engine) == set(db.metadata.tables) | {"alembic_version"}
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []

        flask_migrate.downgrade(revision="base")
        assert tables(db.engine) == {"alembic_version"}
        flask_migrate.upgrade()
        assert "talk" in tables(db.engine)
        db.engine.dispose()
