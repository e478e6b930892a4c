"""The checks every sandbox API call passes first: latency, outage, token, rate limit, read faults."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.sandbox.limits import RateWindow
from adapters.sandbox.network_state import NetworkState
from adapters.sandbox.records import Account

# Refusal reasons; the random fault kinds "5xx", "429" and "401" are refusals too.
OUTAGE = "outage"
UNAUTHORIZED = "unauthorized"
RATE_LIMIT = "rate_limit"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the gate decided: admitted (``refusal`` is None) or refused, and why."""

    account: Account | None
    window: RateWindow | None
    refusal: str | None = None

    def rate_headers(self) -> dict[str, str]:
        """Return the rate-limit headers to send, or none when no user was identified."""
        return self.window.headers() if self.window else {}


def bearer_token(authorization: str | None) -> str:
    """Return the token of an ``Authorization: Bearer <token>`` header, or an empty string."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def arrive(net: NetworkState) -> bool:
    """Count the call and sleep the configured latency; False when an outage window is open (counted)."""
    net.count("api_calls")
    delay = net.latency_s()
    if delay > 0:
        time.sleep(delay)  # only this request's thread sleeps; others proceed
    if net.in_outage():
        net.count_fault(OUTAGE)
        return False
    return True


def admit(
    net: NetworkState, token: str, *, bucket: str, limit: int, fault_rates: Sequence[tuple[str, str]] = ()
) -> Verdict:
    """Sleep the configured latency, then check outage, token, rate limit and random faults in that order."""
    if not arrive(net):
        return Verdict(None, None, OUTAGE)
    account = net.authenticate(token) if token else None
    if account is None:
        net.count_rejection(UNAUTHORIZED)
        return Verdict(None, None, UNAUTHORIZED)
    window = net.take_rate(account.account_id, bucket, limit)
    if not window.allowed:
        net.count_rejection(RATE_LIMIT)
        return Verdict(account, window, RATE_LIMIT)
    fault = net.draw_fault(fault_rates, scripted=False) if fault_rates else None
    if fault is not None:
        net.count_fault(fault)
        return Verdict(account, window.exhausted() if fault == "429" else window, fault)
    return Verdict(account, window)
