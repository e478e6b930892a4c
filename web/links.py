"""The public short links: ``/r/<code>`` answers 302 at once; the click is recorded in the background.

A code's first click in a process reads the database (a read, never a commit) and fills the cache; later
clicks are answered by ``web.short_links.FastPath`` before Flask is entered. Either way the click only goes
to the recorder's in-memory buffer. No cookie is ever set: these requests run with Flask's null session.
Unknown codes get a friendly page, never a redirect to anything a visitor supplied.
"""

from __future__ import annotations

import logging
from typing import cast

from flask import Blueprint, Flask, Request, Response, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException
from werkzeug.urls import iri_to_uri

from scheduler.config import Settings
from scheduler.tracking import link_target
from web.i18n import DEFAULT_LOCALE, LOCALES
from web.services import services
from web.short_links import EXTENSION, PREFIX, FastPath, Target, build_links, links_of

log = logging.getLogger(__name__)
bp = Blueprint("links", __name__)
#: Headers of every answer: never cached (each click must reach us), never indexed.
NO_STORE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


class SessionsExceptShortLinks(SecureCookieSessionInterface):
    """The app's cookie sessions, except that short links get Flask's null session: never read, never saved."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Open the visitor's session, or none at all (None: Flask's null session) under ``/r/``."""
        if request.path.startswith(PREFIX):
            return None
        return super().open_session(app, request)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)
    settings: Settings = app.extensions["postillon"].settings
    app.extensions[EXTENSION] = build_links(settings)
    # No cookie may come from a short link (no consent banner needed): its requests have no session at all.
    app.session_interface = SessionsExceptShortLinks()
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]


# Everything under /r/ is answered here: the app's own 404 page would want the session this path lacks.
@bp.route(PREFIX, defaults={"code": ""}, methods=["GET", "HEAD"])
@bp.route(f"{PREFIX}<path:code>", methods=["GET", "HEAD"])
def follow(code: str) -> ResponseReturnValue:
    """Send the visitor on to the link's destination (302) and queue the click."""
    links = links_of(current_app)
    target = links.cache.get(code)
    if target is None:
        with services().sessions() as session:  # a read only; closed without a commit
            found = link_target(session, code)
        if found is None:
            return _not_found()
        target = Target(found.link_id, found.delivery_id, found.channel_id, iri_to_uri(found.destination))
        links.cache.put(code, target)
    links.recorder.record(links.click(request.environ, target, services().clock()))
    return Response(status=302, headers={"Location": target.location, **NO_STORE})


@bp.errorhandler(Exception)
def _failed(error: Exception) -> ResponseReturnValue:
    # The app's own error pages need the session these requests lack; a short link answers with its own.
    if isinstance(error, HTTPException):
        return error
    log.exception("short link %s failed", request.path)
    return _page("links/unavailable.html", 503)


def _not_found() -> ResponseReturnValue:
    return _page("links/not_found.html", 404)


def _page(template: str, status: int) -> ResponseReturnValue:
    # The visitor's language from the browser: looking up a user would read the (null) session.
    locale = request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE
    with force_locale(locale):
        page = render_template(template, locale=locale)
    return Response(page, status=status, headers=NO_STORE, mimetype="text/html")
