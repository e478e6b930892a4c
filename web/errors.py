"""Error pages in plain words (JSON for the API), and CSRF protection on every form and JSON POST."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from web.i18n import _
from web.i18n import lazy_gettext as _l

csrf = CSRFProtect()

MESSAGES: dict[int, tuple[str, str]] = {
    400: (_l("That did not work"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow this. Ask an administrator if you need it.")),
    404: (_l("Not found"), _l("There is nothing at this address. It may have been removed.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than Postillon accepts.")),
    500: (_l("Something went wrong"), _l("Postillon could not finish this request. Please try again in a moment; "
                                          "if it keeps happening, tell your administrator.")),
}


def _page(status: int, title: str, message: str) -> tuple[str, int] | tuple[Response, int]:
    if request.blueprint == "api":
        return jsonify(error=message), status
    return render_template("errors/error.html", title=title, message=message), status


def _csrf_failed(_error: CSRFError) -> tuple[str, int] | tuple[Response, int]:
    return _page(400, _("The form expired"),
                 _("For your safety, Postillon only accepts forms it has just shown you, and this one was not "
                   "accepted (it may be too old, or cookies may be blocked). Go back, reload the page and send "
                   "it again."))


def _http_error(error: HTTPException) -> tuple[str, int] | tuple[Response, int] | HTTPException:
    code = error.code or 500
    if code not in MESSAGES:
        return error
    title, message = MESSAGES[code]
    return _page(code, title, message)


def init_app(app: Flask) -> None:
    """Turn on CSRF protection (forms: hidden field; JSON: the X-CSRFToken header) and the error pages."""
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(HTTPException, _http_error)
