"""Register accounts on the sandbox networks (the stand-in for an OAuth consent during development)."""

from __future__ import annotations

from datetime import timedelta

import requests

from scheduler.clock import utcnow
from scheduler.networks import Network
from scheduler.ports import ConnectedAccount, Credentials


class SandboxUnavailableError(RuntimeError):
    """The sandbox networks did not answer."""


def create_sandbox_account(base_url: str, network: Network, *, username: str, name: str,
                           timeout_s: float = 5.0) -> ConnectedAccount:
    """Create an account on the sandbox and return it with the tokens the sandbox issued."""
    try:
        response = requests.post(f"{base_url.rstrip('/')}/_sandbox/{network.value}/accounts",
                                 json={"username": username, "name": name}, timeout=timeout_s)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise SandboxUnavailableError(f"the sandbox networks at {base_url} did not answer: {exc}") from None
    data = response.json()
    # LinkedIn channels are organization pages, addressed by URN; the others by plain id.
    account_id = (f"urn:li:organization:{data['account_id']}" if network is Network.LINKEDIN
                  else str(data["account_id"]))
    expires_in = data.get("expires_in")
    credentials = Credentials(access_token=data["access_token"], account_id=account_id,
                              refresh_token=data.get("refresh_token"), extra={"handle": data["username"]},
                              expires_at=utcnow() + timedelta(seconds=float(expires_in)) if expires_in else None)
    return ConnectedAccount(account_id=account_id, name=data.get("name") or name, handle=data["username"],
                            credentials=credentials)
