"""The Flask web app: compose posts, watch deliveries, manage channels (server-rendered, JSON for polling).

Run it with ``flask --app web run`` or ``gunicorn 'web:create_app()'``; importing this package does nothing.
"""

from __future__ import annotations

from flask import Flask

from scheduler.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; production reads ``POSTILLON_*`` once (with generated local secrets), tests pass Settings."""
    # Imported here so that importing ``web`` stays free of side effects and import cycles.
    from web import (
        api,
        applications,
        approvals,
        auth,
        calendar,
        careers,
        careers_apply,  # noqa: F401  (adds the apply form's view to the careers blueprint)
        channels,
        compose,  # noqa: F401  (adds the composer's views to the posts blueprint)
        connect,
        db,
        errors,
        filters,
        i18n,
        imports,
        integrations,
        lead_form,
        lead_settings,
        leads,
        library,
        links,
        media,
        messages,
        notifications,
        posts,
        privacy_admin,
        profile,
        report_costs,  # noqa: F401  (adds the channel-cost views to the reports blueprint)
        report_digest,  # noqa: F401  (adds the digest settings to the reports blueprint)
        report_exports,  # noqa: F401  (adds the CSV and PDF downloads to the reports blueprint)
        reports,
        security,
        slots,
        tasks,
        vacancies,
        webhooks,
    )
    from web import settings as settings_pages
    from web.services import AppServices

    if settings is None:
        from scheduler.secrets import with_local_secrets

        settings = with_local_secrets(Settings.from_env())
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY=settings.secret_key, TESTING=settings.testing)
    security.init_app(app, settings)
    app.extensions["postillon"] = AppServices.build(settings)
    db.init_app(app)
    i18n.init_app(app)
    filters.init_app(app)
    messages.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    for module in (auth, posts, channels, connect, api, media, library, tasks, notifications, vacancies, calendar,
                   slots, approvals, settings_pages, imports, profile, privacy_admin, links, careers,
                   applications, leads, lead_form, lead_settings, webhooks, integrations, reports):
        app.register_blueprint(module.bp)
    for module in (tasks, notifications, approvals):  # their counts in the navigation
        module.init_app(app)
    return app
