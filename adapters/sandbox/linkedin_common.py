"""What every sandbox LinkedIn REST call shares: URNs, the version headers, the gate."""

from __future__ import annotations

import re
from datetime import datetime

from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate
from adapters.sandbox.knobs import READ_FAULT_RATES
from adapters.sandbox.linkedin_errors import error, refused
from adapters.sandbox.records import Account
from adapters.sandbox.state import NetworkState

__all__ = ["READ_FAULT_RATES", "admit", "organization_urn", "share_urn", "version_refusal"]

VERSION = re.compile(r"^(\d{4})(\d{2})(?:\.\d{2})?$")
ACTIVE_MONTHS = 12  # LinkedIn keeps each monthly version for about a year
RESTLI_VERSION = "2.0.0"
ORGANIZATION = "urn:li:organization:"
SHARE = "urn:li:share:"


def organization_urn(account: Account) -> str:
    """Return the URN of the one organization a sandbox member administers."""
    return ORGANIZATION + account.account_id


def share_urn(post_id: str) -> str:
    """Return the URN of a stored post."""
    return SHARE + post_id


def version_refusal(request: Request, now: datetime) -> Response | None:
    """Return the answer for missing or inactive version headers, or None when they are fine."""
    version = request.headers.get("LinkedIn-Version", "").strip()
    if not version:
        return error(400, "VERSION_MISSING",
                     "A version must be present. Please specify a version by adding the LinkedIn-Version header.")
    match = VERSION.match(version)
    months_old = (now.year * 12 + now.month) - (int(match[1]) * 12 + int(match[2])) if match else -1
    if match is None or not 1 <= int(match[2]) <= 12 or not 0 <= months_old < ACTIVE_MONTHS:
        return error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
    if request.headers.get("X-Restli-Protocol-Version", "").strip() != RESTLI_VERSION:
        return error(400, "INVALID_PROTOCOL_VERSION",
                     f"The X-Restli-Protocol-Version header must be {RESTLI_VERSION} for this API.")
    return None


def admit(net: NetworkState, request: Request, *, bucket: str, create: bool) -> tuple[Account | None, Response | None]:
    """Run the gate and the header checks; return the account, or the refusal to send."""
    knobs = net.knobs
    rates = () if create or not knobs.faults_on_reads else READ_FAULT_RATES
    verdict = gate.admit(
        net, gate.bearer_token(request.headers.get("Authorization")), bucket=bucket,
        limit=knobs.rate_limit if create else knobs.read_rate_limit, fault_rates=rates,
    )
    if verdict.refusal or verdict.account is None:
        return None, refused(verdict)
    bad_headers = version_refusal(request, net.now())
    if bad_headers is not None:
        net.count_rejection("bad_headers")
        return None, bad_headers
    return verdict.account, None
