"""Migrations and models agree: the migrated test database has exactly the models' schema, and
there is one Alembic head. A model changed without a migration (or the reverse) fails here.

The embedded search backend's own tables (derived data, rebuilt from the reports at any time, with
an FTS5 virtual table SQLite's metadata cannot describe) are not models: `owns_table` tells them apart.
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import create_engine, inspect

from app.extensions import db
from search.backends import database_schema as search_schema

from tests import factories
from tests.conftest import _fresh_database_url, make_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _not_search_owned(name: str | None, type_: str, _parent_names: dict) -> bool:
    return not (type_ == "table" and name and search_schema.owns_table(name))


def migration_context(connection) -> MigrationContext:  # noqa: ANN001
    """Configured as migrations/env.py configures autogenerate (Flask-Migrate's configure_args)."""
    options = {"compare_type": True, "compare_server_default": False, "include_name": _not_search_owned,
               **current_app.extensions["migrate"].configure_args}
    options.pop("process_revision_directives", None)
    return MigrationContext.configure(connection, opts=options)


def test_there_is_one_head():
    heads = scripts().get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}; merge them"


def test_the_test_database_is_at_the_head(app):
    context = migration_context(db.session.connection())
    assert set(context.get_current_heads()) == set(scripts().get_heads())


def test_models_and_migrations_do_not_drift(app):
    diff = compare_metadata(migration_context(db.session.connection()), db.metadata)
    assert diff == [], "models and migrations differ; generate a migration:\n" + "\n".join(map(str, diff))


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    from flask_migrate import downgrade, upgrade

    url = _fresh_database_url(tmp_path, f"elix_roundtrip_{os.getpid()}")
    application = make_app(url)  # upgraded to the head
    try:
        with application.app_context():
            migrated = set(inspect(db.engine).get_table_names())
            assert {"seizure_reports", "reference_counters", "users", "operations"} <= migrated
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == migrated
            db.engine.dispose()
    finally:
        factories.drop_postgres_database(url)
