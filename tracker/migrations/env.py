"""Alembic environment for Flask-Migrate: the app's engine and metadata, nothing else."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from tracker.search import is_model_object

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate = current_app.extensions["migrate"]
config.set_main_option(
    "sqlalchemy.url", migrate.db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def skip_empty_revisions(context, revision, directives):
    """`flask db migrate` with no model change writes no file."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=migrate.db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    args = {"process_revision_directives": skip_empty_revisions, "include_object": is_model_object,
            **migrate.configure_args}
    with migrate.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=migrate.db.metadata, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
