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
from sqlalchemy import inspect

from app.extensions import db
from search.backends import database_schema as search_schema

from tests import factories
from tests.conftest import _fresh_database_url, make_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def migration_context(connection) -> MigrationContext:  # noqa: ANN001
    """Configured as migrations/env.py configures autogenerate (Flask-Migrate's configure_args)."""
    options = {"compare_type": True, "compare_server_default": False,
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


def test_the_app_leaves_the_search_tables_out_of_autogenerate(app):
    include_name = current_app.extensions["migrate"].configure_args["include_name"]
    assert not include_name("search_documents", "table", {})
    assert not include_name("search_fts_data", "table", {})
    assert include_name("search_outbox", "table", {})
    assert include_name("seizure_reports", "table", {})


def test_flask_db_migrate_proposes_nothing_on_a_migrated_database(tmp_path):
    """`flask db migrate` (Flask-Migrate's autogenerate through migrations/env.py) on a database at the
    head writes no revision: in particular none dropping the search backend's tables."""
    import shutil

    from flask_migrate import migrate

    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    before = sorted(p.name for p in (directory / "versions").glob("*.py"))
    url = _fresh_database_url(tmp_path, f"elix_autogenerate_{os.getpid()}")
    application = make_app(url)  # upgraded to the head
    try:
        with application.app_context():
            assert search_schema.owns_table("search_documents")
            assert "search_documents" in inspect(db.engine).get_table_names()
            # env.py keeps the first run's hook (here: make_app's upgrade) in configure_args; a fresh
            # `flask db migrate` process starts without one.
            application.extensions["migrate"].configure_args.pop("process_revision_directives", None)
            migrate(directory=str(directory), message="drift")
            db.engine.dispose()
    finally:
        factories.drop_postgres_database(url)
    proposed = [p for p in (directory / "versions").glob("*.py") if p.name not in before]
    assert not proposed, "autogenerate proposes a migration:\n" + "".join(p.read_text() for p in proposed)


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


def test_downgrading_the_report_documents_keeps_every_report_and_its_parts(tmp_path):
    """On SQLite a batch column drop copies the table and drops the original: with foreign keys on, that
    would delete every report's parts (ON DELETE CASCADE). 0010 drops its own table only."""
    from flask_migrate import downgrade
    from sqlalchemy import text

    from app.validation import services as validation_services

    url = _fresh_database_url(tmp_path, f"elix_down_documents_{os.getpid()}")
    application = make_app(url)
    try:
        with application.app_context():
            world = factories.World.build()
            op = factories.operation("OP-DOWN", world.jm, [world.jm])
            report = factories.report(world["jm_officer"], operations=[op.code])
            validation_services.return_report(world["jio_validator"], report, "Check the weight")
            db.session.commit()
            tables = ("seizure_reports", "seizure_items", "persons", "route_legs", "report_editors",
                      "report_operations", "validation_actions", "report_documents")

            def counts() -> dict[str, int]:
                return {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables
                        if t in inspect(db.engine).get_table_names()}

            before = counts()
            assert before["report_documents"] == 1 and before["route_legs"] == 3
            db.session.remove()
            downgrade(revision="0009_outbox_source")
            after = counts()
            db.session.remove()
            db.engine.dispose()
    finally:
        factories.drop_postgres_database(url)
    assert after == {t: n for t, n in before.items() if t != "report_documents"}
