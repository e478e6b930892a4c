"""Connect channels through the networks' OAuth consent (authorization code + PKCE); admins only.

Generic over every network with an adapter in ``adapters.registry.ADAPTERS``. Between the redirect
to the consent page and the callback, the PKCE verifier, network, intended action and start time
wait on the server (``scheduler.oauth_store``; single use, 10 minutes); the session cookie holds
only the state, which also travels in the consent URL. When a consent reaches several accounts
(pages, organizations), their sealed credentials wait on the server too, under a random choice id
kept in the session, until the admin picks one; neither the browser nor the cookie sees a token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from adapters.registry import ADAPTERS, UnsupportedNetworkError, adapter_for
from scheduler.channels import AccountMismatchError, connect_account
from scheduler.config import Settings
from scheduler.crypto import CredentialKeyError
from scheduler.errors import PublishError
from scheduler.models import Channel, Role
from scheduler.networks import Network
from scheduler.oauth import OAuthStateError, check_callback
from scheduler.oauth_store import WaitingChoice, begin, keep_choice, peek_choice, purge_expired, take, take_choice
from scheduler.ports import AdapterConfig, ConnectedAccount, NetworkAdapter
from web.auth import roles_required, user
from web.db import get_session
from web.filters import channel_label
from web.i18n import _, ngettext
from web.messages import message_for
from web.security import CSP
from web.services import services

bp = Blueprint("connect", __name__, url_prefix="/connect")

#: The client id the web app uses on a sandbox network when none is configured (the sandbox takes any).
SANDBOX_CLIENT_ID = "postillon-sandbox"
PENDING_KEY = "oauth_state"  # the state of the sign-in this browser started (no verifier, no token)
CHOICE_KEY = "oauth_choice"  # the id of the accounts waiting to be chosen
_CONFIG_KEY = "postillon.connect_config"


def build_adapter_config(settings: Settings) -> AdapterConfig:
    """Return how the web app reaches the networks for sign-ins (sandbox URLs and client id when it is on)."""
    s = settings.with_sandbox_urls() if settings.sandbox else settings
    client_ids = dict(s.client_ids)
    if settings.sandbox:
        for network in Network:
            if network not in client_ids and s.api_urls.get(network, "").rstrip("/") == settings.sandbox_url:
                client_ids[network] = SANDBOX_CLIENT_ID
    return AdapterConfig(api_urls=s.api_urls, upload_urls=s.upload_urls, client_ids=client_ids,
                         client_secrets=s.client_secrets, connect_timeout_s=s.connect_timeout_s,
                         read_timeout_s=s.read_timeout_s)


def connectable_networks() -> list[Network]:
    """Return the networks an admin can connect through OAuth (those with an adapter)."""
    return [network for network in Network if network in ADAPTERS]


def consent_origins() -> list[str]:
    """Return the origins of the consent pages of the connectable networks (for CSP ``form-action``).

    The Connect buttons post here and are redirected to the network, and browsers apply the form's
    ``form-action`` to that redirect too. The origins come from the adapters themselves, so a newly
    registered network works without a change here.
    """
    origins: list[str] = []
    for network in connectable_networks():
        try:
            url = _adapter(network).authorization_url("probe", _redirect_uri(network), "v" * 43)
        except ValueError:  # no client id: the button only shows a message
            continue
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and origin not in origins:
            origins.append(origin)
    return origins


def csp_with_consent_pages() -> str:
    """Return the app's CSP with the networks' consent pages allowed as form targets."""
    origins = " ".join(consent_origins())
    return CSP.replace("form-action 'self'", f"form-action 'self' {origins}".rstrip())


def _adapter(network: Network) -> NetworkAdapter:
    config = current_app.extensions.get(_CONFIG_KEY)
    if not isinstance(config, AdapterConfig):
        # One config per app: adapter_for caches adapters by config.
        config = current_app.extensions.setdefault(_CONFIG_KEY, build_adapter_config(services().settings))
    try:
        return adapter_for(network, config)
    except UnsupportedNetworkError:
        abort(404)


def _network(name: str) -> Network:
    try:
        network = Network(name)
    except ValueError:
        abort(404)
    if network not in ADAPTERS:
        abort(404)
    return network


def _redirect_uri(network: Network) -> str:
    return services().settings.base_url.rstrip("/") + url_for("connect.callback", network_name=network.value)


def _to_list() -> ResponseReturnValue:
    return redirect(url_for("channels.index"), 303)


def _refuse(message: str) -> ResponseReturnValue:
    return render_template("errors/error.html", title=_("This sign-in cannot be used"), message=message), 400


@bp.post("/<network_name>")
@roles_required(Role.ADMIN)
def start(network_name: str) -> ResponseReturnValue:
    """Send the admin to the network's consent page to connect a new account."""
    return _start(_network(network_name), None)


@bp.post("/reconnect/<int:channel_id>")
@roles_required(Role.ADMIN)
def reconnect(channel_id: int) -> ResponseReturnValue:
    """Send the admin to the network's consent page to renew one channel's access."""
    channel = get_session().get(Channel, channel_id)
    if channel is None:
        abort(404)
    return _start(_network(channel.network.value), channel.id)


def _start(network: Network, channel_id: int | None) -> ResponseReturnValue:
    adapter = _adapter(network)
    db, now = get_session(), services().clock()
    purge_expired(db, now)  # opportunistic: abandoned sign-ins and choices go once they expire
    pending = begin(db, services().box, user().id, network, channel_id, now)
    try:
        url = adapter.authorization_url(pending.state, _redirect_uri(network), pending.code_verifier)
    except ValueError:  # no client id configured for this network
        db.rollback()
        flash(_("%(network)s is not set up for sign-in yet: configure its client id (POSTILLON_%(env)s_CLIENT_ID).",
                network=network.label, env=network.value.upper()), "error")
        return _to_list()
    db.commit()
    session.pop(CHOICE_KEY, None)
    session[PENDING_KEY] = pending.state
    return redirect(url, 303)


@bp.get("/<network_name>/callback")
@roles_required(Role.ADMIN)
def callback(network_name: str) -> ResponseReturnValue:
    """Take the network's answer: check the state, trade the code, store the account (or ask which one)."""
    try:
        network = Network(network_name)
    except ValueError:
        abort(404)
    expected, given = session.pop(PENDING_KEY, None), request.args.get("state")
    db, now = get_session(), services().clock()
    try:
        # The sign-in this browser started, else the one the answer names; either way used up here.
        pending = take(db, services().box, expected if isinstance(expected, str) else given, user().id, now)
    except OAuthStateError as exc:
        return _refuse(message_for(exc))
    except CredentialKeyError:
        pending = None
    db.commit()
    error = request.args.get("error")
    if error:
        if error in ("access_denied", "user_cancelled_authorize", "user_cancelled_login"):
            flash(_("You did not allow Postillon on %(network)s, so nothing was changed.", network=network.label),
                  "info")
        else:
            flash(_("%(network)s did not finish the sign-in (%(error)s); nothing was changed.",
                    network=network.label, error=error[:100]), "error")
        return _to_list()
    try:
        pending = check_callback(pending, network, given, now)
    except OAuthStateError as exc:
        return _refuse(message_for(exc))
    code = request.args.get("code")
    if not code:
        return _refuse(_("The network sent no authorization code. Start again from the channels page."))
    network = pending.network
    try:
        accounts = _adapter(network).exchange_code(code, _redirect_uri(network), pending.code_verifier)
    except PublishError as exc:
        flash(_("Connecting %(network)s did not work: %(problem)s Nothing was stored.", network=network.label,
                problem=exc.message), "error")
        return _to_list()
    if pending.channel_id is not None:
        # A reconnect needs the channel's own account; among several, take that one.
        channel = db.get(Channel, pending.channel_id)
        own = [account for account in accounts if channel is not None and account.account_id == channel.account_id]
        accounts = own or accounts[:1]
    if not accounts:
        flash(_("%(network)s gave access to no account; nothing was stored.", network=network.label), "error")
        return _to_list()
    if len(accounts) == 1:
        return _store(network, pending.channel_id, accounts[0])
    session[CHOICE_KEY] = keep_choice(db, services().box, user().id, network, accounts, services().clock())
    db.commit()
    return redirect(url_for("connect.choose", network_name=network.value), 303)


def _waiting(network: Network) -> WaitingChoice | None:
    try:
        waiting = peek_choice(get_session(), services().box, session.get(CHOICE_KEY), user().id, services().clock())
    except CredentialKeyError:
        return None
    return waiting if waiting is not None and waiting.network is network else None


def _render_choice(network: Network, waiting: WaitingChoice, problem: str | None = None) -> str:
    accounts = [{"id": a.account_id, "name": a.name, "handle": a.handle} for a in waiting.accounts]
    return render_template("connect/choose.html", network=network, accounts=accounts, problem=problem)


@bp.route("/<network_name>/choose", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def choose(network_name: str) -> ResponseReturnValue:
    """Let the admin pick which of the accounts a consent reached becomes a channel."""
    network = _network(network_name)
    waiting = _waiting(network)
    if waiting is None:
        return _refuse(_("No choice of accounts is waiting (it was used, or it expired after 10 minutes). "
                         "Start again from the channels page."))
    if request.method == "GET":
        return _render_choice(network, waiting)
    picked = [a for a in waiting.accounts if a.account_id == request.form.get("account")]
    if not picked:
        return _render_choice(network, waiting, _("Choose one of the accounts.")), 422
    # Used up in the same transaction that stores the channel; a second, concurrent pick finds nothing.
    if take_choice(get_session(), services().box, session.pop(CHOICE_KEY, None), user().id,
                   services().clock()) is None:
        return _refuse(_("No choice of accounts is waiting (it was used, or it expired after 10 minutes). "
                         "Start again from the channels page."))
    return _store(network, None, picked[0])


def _store(network: Network, channel_id: int | None, account: ConnectedAccount) -> ResponseReturnValue:
    db = get_session()
    try:
        channel, resumed = connect_account(db, services().box, network, account, user_id=user().id,
                                           now=services().clock(), channel_id=channel_id,
                                           tz_name=user().tz_name)
    except AccountMismatchError as exc:
        db.rollback()
        mismatched = exc.channel
        flash(_("You signed in to %(network)s as %(account)s, but %(channel)s belongs to another account. "
                "Nothing was changed: sign in to %(network)s as that account and reconnect again.",
                network=network.label, account=channel_label(network, account.name, account.handle),
                channel=channel_label(mismatched.network, mismatched.name, mismatched.handle)), "error")
        return _to_list()
    except LookupError:
        db.rollback()
        flash(_("The channel to reconnect no longer exists; nothing was stored."), "error")
        return _to_list()
    db.commit()
    label = channel_label(channel.network, channel.name, channel.handle)
    if channel_id is None and resumed == 0:
        flash(_("%(channel)s is connected.", channel=label), "success")
    else:
        flash(ngettext("%(channel)s is connected again; %(num)d waiting delivery resumes.",
                       "%(channel)s is connected again; %(num)d waiting deliveries resume.", resumed,
                       channel=label), "success")
    return _to_list()
