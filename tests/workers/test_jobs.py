"""The publish job: claim first, publish once, record every outcome."""

from __future__ import annotations

from collections.abc import Callable

import requests
from sqlalchemy import select

from scheduler.lifecycle import DeliveryState
from scheduler.models import Attempt, Channel, ChannelStatus, Delivery, TrackedLink
from scheduler.networks import Network
from tests.engine_fixtures import Sandbox, states
from workers.context import JobContext
from workers.jobs import publish_batch, publish_delivery

S = DeliveryState


def _queue(ctx: JobContext, ids: list[int]) -> None:
    with ctx.sessions.begin() as session:
        for d in session.scalars(select(Delivery).where(Delivery.id.in_(ids))):
            d.state = S.QUEUED


def test_batch_is_published_once_with_ids_and_links(ctx: JobContext, sandbox: Sandbox,
                                                    make_channel: Callable[..., int],
                                                    make_deliveries: Callable[..., list[int]]) -> None:
    channel = make_channel("careers")
    ids = make_deliveries(channel, [f"We are hiring #{i}" for i in range(12)])
    _queue(ctx, ids)

    counts = publish_batch(ctx, ids)

    assert counts == {"skipped": 0, "published": 12}
    with ctx.sessions() as session:
        rows = session.scalars(select(Delivery).where(Delivery.id.in_(ids))).all()
        assert {r.state for r in rows} == {S.PUBLISHED}
        assert all(r.external_url == f"{sandbox.url}/x/careers/status/{r.external_id}" for r in rows)
        attempts = session.scalars(select(Attempt).where(Attempt.delivery_id.in_(ids))).all()
        assert len(attempts) == 12 and {a.outcome for a in attempts} == {"published"}
    assert len(sandbox.posts()) == 12


def test_running_the_same_job_again_publishes_nothing_more(ctx: JobContext, sandbox: Sandbox,
                                                           make_channel: Callable[..., int],
                                                           make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["Only once"])
    _queue(ctx, ids)
    publish_delivery(ids[0])
    again = publish_delivery(ids[0])
    assert again == {"skipped": 1}
    assert sandbox.stats()["create_calls"] == 1


def test_service_unavailable_waits_for_a_retry(ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
                                               make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["Retry me"])
    _queue(ctx, ids)
    sandbox.faults("5xx")
    publish_batch(ctx, ids)
    with ctx.sessions() as session:
        d = session.get_one(Delivery, ids[0])
        assert d.state is S.RETRY_WAIT and d.attempts == 1 and d.run_at > d.due_at
        assert d.last_error_kind == "transient"


def test_error_after_the_network_accepted_ends_unknown_not_retried(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["Maybe live"])
    _queue(ctx, ids)
    sandbox.faults("500_after_accept")
    publish_batch(ctx, ids)
    assert states(ctx, ids) == {ids[0]: S.UNKNOWN}
    assert len(sandbox.posts()) == 1


def test_timeout_after_accept_ends_unknown(ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
                                          make_deliveries: Callable[..., list[int]]) -> None:
    sandbox.knobs(hang_s=5)
    ids = make_deliveries(make_channel(), ["Slow network"])
    _queue(ctx, ids)
    sandbox.faults("accept_then_timeout")
    publish_batch(ctx, ids)
    with ctx.sessions() as session:
        d = session.get_one(Delivery, ids[0])
        assert d.state is S.UNKNOWN
        assert d.last_error_message


def test_rate_limit_reschedules_without_spending_an_attempt_and_parks_the_channel(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    channel = make_channel()
    ids = make_deliveries(channel, ["first", "second"])
    _queue(ctx, ids[:1])
    sandbox.faults("429")
    publish_batch(ctx, ids[:1])
    with ctx.sessions() as session:
        d = session.get_one(Delivery, ids[0])
        assert d.state is S.SCHEDULED and d.attempts == 0 and d.run_at > d.due_at
        limited = session.get_one(Channel, channel).rate_limited_until
        assert limited is not None
    # The second delivery is parked at claim time, without a network call.
    calls = sandbox.stats()["create_calls"]
    _queue(ctx, ids[1:])
    publish_batch(ctx, ids[1:])
    assert states(ctx, ids[1:]) == {ids[1]: S.SCHEDULED}
    assert sandbox.stats()["create_calls"] == calls


def test_revoked_token_marks_the_channel_for_reconnect(ctx: JobContext, sandbox: Sandbox,
                                                     make_channel: Callable[..., int],
                                                     make_deliveries: Callable[..., list[int]]) -> None:
    channel = make_channel()
    ids = make_deliveries(channel, ["one", "two"])
    sandbox.faults("401")
    _queue(ctx, ids[:1])
    publish_batch(ctx, ids[:1])
    _queue(ctx, ids[1:])
    publish_batch(ctx, ids[1:])
    assert states(ctx, ids) == {ids[0]: S.NEEDS_RECONNECT, ids[1]: S.NEEDS_RECONNECT}
    with ctx.sessions() as session:
        assert session.get_one(Channel, channel).status is ChannelStatus.NEEDS_RECONNECT


def test_duplicate_content_fails_with_the_networks_words(ctx: JobContext, sandbox: Sandbox,
                                                        make_channel: Callable[..., int],
                                                        make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["Same words"])
    _queue(ctx, ids)
    sandbox.faults("duplicate")
    publish_batch(ctx, ids)
    with ctx.sessions() as session:
        d = session.get_one(Delivery, ids[0])
        assert d.state is S.FAILED
        assert "duplicate content" in (d.last_error_message or "")


def test_cancelled_before_the_job_runs_is_never_sent(ctx: JobContext, sandbox: Sandbox,
                                                    make_channel: Callable[..., int],
                                                    make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["Cancelled"])
    _queue(ctx, ids)
    with ctx.sessions.begin() as session:
        session.get_one(Delivery, ids[0]).state = S.CANCELLED
    assert publish_batch(ctx, ids) == {"skipped": 1}
    assert sandbox.stats()["create_calls"] == 0


def test_a_linkedin_page_post_goes_through_the_same_engine(ctx: JobContext, sandbox: Sandbox,
                                                           make_channel: Callable[..., int],
                                                           make_deliveries: Callable[..., list[int]]) -> None:
    channel = make_channel("acme_careers", network=Network.LINKEDIN)
    ids = make_deliveries(channel, ["Wir suchen (m/w/d) Verstärkung! Details: https://example.com/jobs/3"])
    _queue(ctx, ids)
    assert publish_batch(ctx, ids) == {"skipped": 0, "published": 1}
    [stored] = sandbox.posts("linkedin")
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, ids[0])
        assert delivery.external_id == f"urn:li:share:{stored['id']}"
        assert delivery.external_url == f"{sandbox.url}/feed/update/{delivery.external_id}/"
        code = session.scalars(select(TrackedLink.code).where(TrackedLink.delivery_id == ids[0])).one()
    # "Little text" reserved characters went out escaped, the (tracked) link untouched.
    assert stored["text"] == f"Wir suchen \\(m/w/d\\) Verstärkung! Details: {ctx.settings.base_url}/r/{code}"


def test_a_linkedin_duplicate_is_failed_with_linkedins_words(ctx: JobContext, sandbox: Sandbox,
                                                            make_channel: Callable[..., int],
                                                            make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(network=Network.LINKEDIN), ["Same again"])
    _queue(ctx, ids)
    requests.post(f"{sandbox.url}/_sandbox/linkedin/faults", json={"next": ["duplicate"]}, timeout=5)
    publish_batch(ctx, ids)
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, ids[0])
        assert delivery.state is S.FAILED and "duplicate" in (delivery.last_error_message or "").lower()


def test_a_facebook_page_post_goes_through_the_same_engine(ctx: JobContext, sandbox: Sandbox,
                                                           make_channel: Callable[..., int],
                                                           make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel("acme_page", network=Network.FACEBOOK), ["Tag der offenen Tür am Freitag"])
    _queue(ctx, ids)
    assert publish_batch(ctx, ids) == {"skipped": 0, "published": 1}
    [stored] = sandbox.posts("facebook")
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, ids[0])
        # Graph post ids are "<page id>_<post id>"; the sandbox lists the post part.
        assert delivery.external_id is not None and delivery.external_id.endswith(f"_{stored['id']}")
        assert delivery.external_url == f"https://www.facebook.com/{delivery.external_id}"
