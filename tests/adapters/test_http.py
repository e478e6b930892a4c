"""The shared HTTP plumbing: origin rewriting, default timeouts, no retries, error classification."""

from __future__ import annotations

import logging
import time

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from adapters._http import (
    POOL_SIZE,
    RoutingAdapter,
    classify_transport_error,
    new_session,
    redact,
    redact_logger,
    request_was_sent,
    timeouts,
)
from scheduler.errors import MAX_DETAIL, OutcomeUnknownError, TransientError
from scheduler.ports import AdapterConfig

ORIGIN = "https://api.twitter.com"


def ok(_: object) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, b'{"ok": true}'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.twitter.com/2/tweets", "http://127.0.0.1:8025/2/tweets"),
        ("https://api.twitter.com/2/tweets?ids=1,2", "http://127.0.0.1:8025/2/tweets?ids=1,2"),
        ("https://api.twitter.com", "http://127.0.0.1:8025"),
        ("https://api.twitter.com.evil.example/2/tweets", "https://api.twitter.com.evil.example/2/tweets"),
        ("https://upload.twitter.com/1.1/media/upload.json", "https://upload.twitter.com/1.1/media/upload.json"),
        ("http://api.twitter.com/2/tweets", "http://api.twitter.com/2/tweets"),
    ],
)
def test_rewrite_replaces_only_the_configured_origin(url: str, expected: str) -> None:
    adapter = RoutingAdapter(timeout=(1, 1), rewrites={ORIGIN: "http://127.0.0.1:8025/"})
    assert adapter.rewrite(url) == expected


def test_rewrite_keeps_a_path_prefix_of_the_base() -> None:
    adapter = RoutingAdapter(timeout=(1, 1), rewrites={ORIGIN + "/": "http://sandbox.local/x"})
    assert adapter.rewrite(ORIGIN + "/2/users/me") == "http://sandbox.local/x/2/users/me"


def test_session_sends_rewritten_requests_to_the_local_server(local_server) -> None:
    server = local_server(ok)
    session = new_session("Postillon-test", rewrites={ORIGIN: server.url})
    response = session.post(ORIGIN + "/2/tweets?x=1", json={"text": "hi"})
    assert response.json() == {"ok": True}
    assert [(s.method, s.path, s.body) for s in server.seen] == [("POST", "/2/tweets?x=1", b'{"text": "hi"}')]
    assert server.seen[0].headers["Host"] == server.url.removeprefix("http://")
    assert server.seen[0].headers["User-Agent"] == "Postillon-test"


def test_rewritten_requests_choose_proxies_for_the_new_host(local_server, monkeypatch) -> None:
    # A proxy that does not exist: reaching the server proves NO_PROXY was honoured for the sandbox.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = local_server(ok)
    session = new_session("t", rewrites={ORIGIN: server.url})
    assert session.get(ORIGIN + "/2/users/me").status_code == 200


def test_default_timeout_applies_when_the_caller_gives_none(local_server) -> None:
    def slow(seen):
        server.release.wait(5)
        return ok(seen)

    server = local_server(slow)
    session = new_session("t", timeout=(1.0, 0.3))
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        session.get(server.url + "/slow")
    assert time.monotonic() - started < 2.0


def test_explicit_timeout_wins_over_the_default(local_server) -> None:
    def slow(seen):
        time.sleep(0.3)
        return ok(seen)

    server = local_server(slow)
    session = new_session("t", timeout=(1.0, 0.05))
    assert session.get(server.url + "/slow", timeout=2).status_code == 200


def test_timeouts_come_from_the_adapter_config() -> None:
    assert timeouts(AdapterConfig(connect_timeout_s=1.5, read_timeout_s=9.0)) == (1.5, 9.0)


def test_a_failed_post_is_never_retried(local_server) -> None:
    server = local_server(lambda seen: None)  # reset every connection after reading the request
    session = new_session("t")
    with pytest.raises(requests.ConnectionError):
        session.post(server.url + "/2/tweets", json={"text": "once"})
    assert len(server.seen) == 1


def test_cookies_are_never_stored_or_sent(local_server) -> None:
    server = local_server(lambda seen: (200, {"Set-Cookie": "guest_id=v1%3A1; Path=/"}, b"{}"))
    session = new_session("t")
    session.get(server.url + "/a")
    session.get(server.url + "/b")
    assert len(session.cookies) == 0
    assert "Cookie" not in server.seen[1].headers


def test_pool_allows_the_worker_concurrency() -> None:
    session = new_session("t")
    adapter = session.get_adapter("https://api.twitter.com/")
    assert isinstance(adapter, RoutingAdapter)
    assert adapter._pool_maxsize == POOL_SIZE >= 64
    assert adapter.max_retries.total == 0


# -- classification -------------------------------------------------------------------------


def _refused(url: str) -> requests.RequestException:
    try:
        new_session("t").get(url + "/x")
    except requests.RequestException as exc:
        return exc
    raise AssertionError("expected a connection failure")


def test_refused_connection_is_not_sent(closed_port_url) -> None:
    exc = _refused(closed_port_url)
    assert not request_was_sent(exc)
    for mutation in (True, False):
        error = classify_transport_error(exc, network="X", mutation=mutation)
        assert type(error) is TransientError
        assert error.message == "Could not reach X: connection failed."


def test_read_timeout_is_unknown_for_a_mutation_and_transient_for_a_read(local_server) -> None:
    server = local_server(lambda seen: (server.release.wait(5), ok(seen))[1])
    with pytest.raises(requests.ReadTimeout) as caught:
        new_session("t", timeout=(1.0, 0.2)).post(server.url + "/2/tweets")
    assert request_was_sent(caught.value)
    unknown = classify_transport_error(caught.value, network="LinkedIn", mutation=True)
    assert type(unknown) is OutcomeUnknownError
    assert "LinkedIn did not answer after the post was sent (read timed out)" in unknown.message
    assert type(classify_transport_error(caught.value, network="X", mutation=False)) is TransientError


def test_reset_after_sending_is_unknown_for_a_mutation(local_server) -> None:
    server = local_server(lambda seen: None)
    with pytest.raises(requests.ConnectionError) as caught:
        new_session("t").post(server.url + "/2/tweets", json={})
    assert request_was_sent(caught.value)
    assert type(classify_transport_error(caught.value, network="X", mutation=True)) is OutcomeUnknownError
    assert type(classify_transport_error(caught.value, network="X", mutation=False)) is TransientError


@pytest.mark.parametrize(
    "exc",
    [
        requests.ConnectTimeout("connect timed out"),
        requests.exceptions.SSLError("handshake"),
        requests.exceptions.ProxyError("proxy down"),
        requests.exceptions.InvalidURL("bad url"),
        requests.exceptions.MissingSchema("no scheme"),
        requests.ConnectionError(MaxRetryError(None, "/x", NewConnectionError(None, "refused"))),  # type: ignore[arg-type]
        requests.ConnectionError(ConnectionRefusedError(111, "Connection refused")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_failures_before_sending_are_transient_even_for_a_mutation(exc: requests.RequestException) -> None:
    assert not request_was_sent(exc)
    assert type(classify_transport_error(exc, network="X", mutation=True)) is TransientError


@pytest.mark.parametrize(
    "exc",
    [
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
        requests.exceptions.ChunkedEncodingError("broken body"),
        requests.exceptions.JSONDecodeError("Expecting value", "<html>", 0),
    ],
    ids=lambda e: type(e).__name__,
)
def test_failures_after_sending_are_unknown_for_a_mutation(exc: requests.RequestException) -> None:
    assert request_was_sent(exc)
    assert type(classify_transport_error(exc, network="X", mutation=True)) is OutcomeUnknownError
    assert type(classify_transport_error(exc, network="X", mutation=False)) is TransientError


def test_classification_keeps_a_redacted_truncated_detail() -> None:
    exc = requests.ConnectTimeout(
        "HTTPSConnectionPool(host='graph.facebook.com'): /v21.0/me?access_token=EAAB-secret&fields=id "
        + "x" * 5000
    )
    error = classify_transport_error(exc, network="Facebook", mutation=False)
    assert "EAAB-secret" not in error.detail
    assert "access_token=***&fields=id" in error.detail
    assert error.detail.startswith("ConnectTimeout: ")
    assert len(error.detail) <= MAX_DETAIL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Headers: {'Authorization': 'Bearer abc.DEF-123'}", "Headers: {'Authorization': 'Bearer ***'}"),
        ("grant_type=refresh_token&refresh_token=r1&client_id=c",
         "grant_type=refresh_token&refresh_token=***&client_id=c"),
        ("code=xyz&code_verifier=v&redirect_uri=u", "code=***&code_verifier=***&redirect_uri=u"),
        ("error_code=190 and error_subcode=463", "error_code=190 and error_subcode=463"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redacting_filter_cleans_log_records(caplog) -> None:
    redact_logger("tests.adapters.noisy")
    redact_logger("tests.adapters.noisy")  # idempotent
    logger = logging.getLogger("tests.adapters.noisy")
    assert len(logger.filters) == 1
    with caplog.at_level(logging.DEBUG, logger="tests.adapters.noisy"):
        logger.debug("Headers: %s", {"Authorization": "Bearer topsecret"})
    assert caplog.records[0].getMessage() == "Headers: {'Authorization': 'Bearer ***'}"
