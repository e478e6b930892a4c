"""Log in and out; the current user, the login requirement on every view and the role check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from scheduler.models import Role, User
from scheduler.users import authenticate
from web.db import get_session
from web.forms import LoginForm
from web.i18n import _
from web.security import safe_target
from web.services import services

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

#: A login lasts at most this long, however active the user is (ASVS 7.3.2).
SESSION_MAX_AGE = timedelta(hours=12)
#: Roles that may write posts and act on deliveries; viewers and ambassadors only read for now.
POSTING_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MARKETER, Role.MANAGER)
#: Views anyone may reach without logging in.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "media.signed"})  # signed media: networks fetch it
#: Blueprints whose every view is for the public: tracked links, the careers site and its forms, webhooks.
PUBLIC_BLUEPRINTS = frozenset({"links", "careers", "forms", "hooks"})

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CurrentUser(UserMixin):
    """The logged-in person: a plain snapshot, so no ORM object outlives its request session."""

    id: int
    name: str
    email: str
    role: Role
    tz_name: str
    locale: str

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        """Return the snapshot of ``user``."""
        return cls(id=user.id, name=user.name, email=user.email, role=Role(user.role), tz_name=user.tz_name,
                   locale=user.locale)

    @property
    def can_post(self) -> bool:
        """Tell whether this person may compose posts and act on deliveries."""
        return self.role in POSTING_ROLES

    @property
    def is_admin(self) -> bool:
        """Tell whether this person administers channels."""
        return self.role is Role.ADMIN


def user() -> CurrentUser:
    """Return the logged-in user (only call from views that require a login)."""
    return cast(CurrentUser, current_user._get_current_object())


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only people with one of ``roles`` reach the view (403 for everyone else)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if user().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; on success start a fresh session and go to ``next`` (same-site only)."""
    fallback = url_for("posts.deliveries")
    if current_user.is_authenticated:
        return redirect(safe_target(request.args.get("next"), fallback))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = get_session()
        found = authenticate(db, form.email.data or "", form.password.data or "")
        if found is not None:
            snapshot = CurrentUser.of(found)
            db.commit()  # authenticate may have upgraded the password hash
            target = safe_target(form.next.data, fallback)
            # A new session on login: nothing an attacker planted before survives (ASVS 7.2.4).
            session.clear()
            login_user(snapshot)
            session["auth_at"] = services().clock().timestamp()
            return redirect(target, 303)
        # One message for every failure: it must not tell whether the e-mail address exists.
        form.form_errors.append(_("E-mail address or password is wrong."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"), 303)


def _load_user(user_id: str) -> CurrentUser | None:
    try:
        found = get_session().get(User, int(user_id))
    except ValueError:
        return None
    if found is None or not found.active:
        return None
    return CurrentUser.of(found)


def _unauthorized() -> ResponseReturnValue:
    if request.blueprint == "api":
        return jsonify(error=_("Please log in again.")), 401
    flash(_("Please log in to continue."), "info")
    if request.method != "GET":  # a form cannot be replayed after logging in; start from the list
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _require_login() -> ResponseReturnValue | None:
    """Every view needs a login except the login page and static files; logins expire after SESSION_MAX_AGE."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    if current_user.is_authenticated:
        started = session.get("auth_at")
        age_s = services().clock().timestamp() - started if isinstance(started, int | float) else None
        if age_s is not None and age_s < SESSION_MAX_AGE.total_seconds():
            return None
        logout_user()
        session.clear()
    return _unauthorized()


def init_app(app: Flask) -> None:
    """Install Flask-Login (strong session protection, no remember-me cookie) and the login requirement."""
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.init_app(app)
    app.before_request(_require_login)
