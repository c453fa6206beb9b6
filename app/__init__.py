"""ELIX — the Enforcement Liaison Intelligence eXchange."""
from __future__ import annotations

import logging

from flask import Flask, request
from flask_babel import gettext

from app.config import INSTANCE_DIR, Config
from app.database import KeyConverter, begin_writing, configure_engine, set_write_intent
from app.extensions import babel, csrf, db, login_manager, migrate
from app.json_provider import OrjsonProvider

__version__ = "0.1.0"

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Elix(Flask):
    json_provider_class = OrjsonProvider

    def dispatch_request(self):  # noqa: ANN201
        """Views of requests that change data run with write intent; what ran before them only read."""
        if request.method in UNSAFE_METHODS:
            begin_writing(db.session)
        return super().dispatch_request()


def create_app(config: Config | None = None) -> Flask:
    app = Elix(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(config or Config())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from app import models  # noqa: F401  (complete metadata before anything uses it)
    from app.search.models import include_in_migrations

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True,
                     include_name=include_in_migrations)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "users.login"
    login_manager.login_message = "Sign in to continue."

    from app import security, timing
    from app.audit import services as audit

    security.init_app(app)
    timing.init_app(app)
    audit.init_app(app)  # after security: its after_request runs first, so a 503 still gets the headers

    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    _register_write_intent(app)
    app.url_map.converters["int"] = KeyConverter
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)
    return app


def _select_locale() -> str | None:
    from flask import current_app

    return request.accept_languages.best_match(current_app.config["LANGUAGES"])


def _register_write_intent(app: Flask) -> None:
    """Requests read until their view starts (`Elix.dispatch_request`): authentication and CSRF checks
    never hold SQLite's write lock (see app.database)."""

    @app.before_request
    def _mark_write_intent() -> None:
        set_write_intent(False)

    @app.teardown_request
    def _clear_write_intent(_exc) -> None:  # noqa: ANN001
        set_write_intent(False)


def _register_blueprints(app: Flask) -> None:
    from app.api import bp as api_bp
    from app.audit.routes import bp as audit_bp
    from app.conferences.routes import bp as conferences_bp
    from app.health import bp as health_bp
    from app.jobs.routes import bp as jobs_bp
    from app.operations.routes import bp as operations_bp
    from app.seizures.routes import bp as seizures_bp
    from app.users.admin_routes import bp as admin_bp
    from app.users.routes import bp as users_bp

    app.register_blueprint(users_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(seizures_bp)
    for products_bp in (operations_bp, conferences_bp, jobs_bp):
        app.register_blueprint(products_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(health_bp)
    from app.search.routes import bp as search_bp

    app.register_blueprint(search_bp)
    from app.validation.routes import bp as validation_bp

    app.register_blueprint(validation_bp)


def _register_cli(app: Flask) -> None:
    from app.audit.cli import audit_cli
    from app.demo.cli import demo_cli
    from app.jobs.cli import jobs_cli
    from app.organisations.cli import orgs_cli
    from app.search.cli import search_cli
    from app.seizures.cli import seizures_cli
    from app.users.cli import tokens_cli, users_cli

    for group in (orgs_cli, users_cli, tokens_cli, demo_cli, jobs_cli, audit_cli, seizures_cli):
        app.cli.add_command(group)
    app.cli.add_command(search_cli)


def _register_template_helpers(app: Flask) -> None:
    from app import vocabularies as vocab

    def label(kind: str, code: str | None) -> str:
        if code is None:
            return ""
        if kind == "country":
            return vocab.countries().get(code, code)
        if kind == "subcategory":
            for subs in vocab.SUBCATEGORIES.values():
                if code in subs:
                    return gettext(subs[code])
            return code
        if kind == "unit":
            unit = vocab.UNITS.get(code)
            return gettext(unit.label) if unit else code
        return gettext(vocab.vocabulary_lists()[kind].get(code, code))

    app.jinja_env.globals.update(label=label, vocab=vocab, app_version=__version__)
