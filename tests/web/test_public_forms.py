"""Cookie-less protection of public forms: a signed, timed token per form name, a minimum fill time, a honeypot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from web import public_forms
from web.public_forms import PublicForm, PublicFormRejected, check_submission, form_token


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """A request context of the app, with no minimum fill time (as the other public-form tests use)."""
    app.config["PUBLIC_FORM_MIN_FILL_S"] = 0
    with app.test_request_context("/careers/1/apply", headers={"Accept-Language": "en"}):
        yield app


def _refused(token: str | None, honeypot: str | None = "", form: str = "apply") -> str:
    with pytest.raises(PublicFormRejected) as raised:
        check_submission(form, token, honeypot)
    return raised.value.message


def test_a_fresh_token_for_the_same_form_with_an_empty_honeypot_passes(ctx: Flask) -> None:
    check_submission("apply", form_token("apply"), "")
    check_submission("apply", form_token("apply"), None)


def test_a_filled_honeypot_is_refused_even_with_a_good_token(ctx: Flask) -> None:
    assert "could not be sent" in _refused(form_token("apply"), honeypot="http://spam.example")


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c"])
def test_a_missing_or_forged_token_is_refused(ctx: Flask, token: str | None) -> None:
    assert "could not be sent" in _refused(token)


def test_a_token_of_another_form_is_refused(ctx: Flask) -> None:
    assert "could not be sent" in _refused(form_token("lead"), form="apply")


def test_a_token_signed_with_another_secret_is_refused(ctx: Flask) -> None:
    foreign = URLSafeTimedSerializer("another secret", salt="postillon.public-form").dumps({"form": "apply", "at": 0})
    assert "could not be sent" in _refused(foreign)


def test_a_post_sooner_than_a_person_could_fill_the_form_is_refused(ctx: Flask) -> None:
    ctx.config["PUBLIC_FORM_MIN_FILL_S"] = 3600
    assert "very fast" in _refused(form_token("apply"))


def test_a_token_older_than_the_maximum_age_asks_to_send_again(ctx: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    token = form_token("apply")
    monkeypatch.setattr(public_forms, "MAX_AGE_S", -1)  # every token is too old: no waiting a day in a test
    assert "open for too long" in _refused(token)


def test_public_forms_do_not_use_the_session_csrf_token() -> None:
    assert PublicForm.Meta.csrf is False
