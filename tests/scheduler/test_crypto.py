"""Channel credentials encrypted at rest: round trips, key rotation, wrong keys, no leaking repr."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.crypto import CredentialBox, CredentialKeyError
from scheduler.ports import Credentials

OLD_KEY = CredentialBox.new_key()
NEW_KEY = CredentialBox.new_key()
TOKEN = "EAAG-user-access-token-SECRET"
CREDENTIALS = Credentials(access_token=TOKEN, account_id="urn:li:organization:42", refresh_token="REFRESH-SECRET",
                          expires_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC), extra={"page_token": "PAGE-SECRET"})
PROPERTY = settings(max_examples=100, database=None, deadline=None)

texts = st.text(max_size=200)
credentials = st.builds(
    Credentials,
    access_token=texts,
    account_id=texts,
    refresh_token=st.none() | texts,
    expires_at=st.none() | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))])),
    extra=st.dictionaries(texts, texts, max_size=4),
)


@PROPERTY
@given(creds=credentials)
def test_open_returns_what_seal_sealed(creds: Credentials) -> None:
    box = CredentialBox([NEW_KEY])
    assert box.open(box.seal(creds)) == creds


@PROPERTY
@given(creds=credentials)
def test_rotated_values_open_after_the_old_key_is_removed(creds: Credentials) -> None:
    sealed_with_old = CredentialBox([OLD_KEY]).seal(creds)
    rotated = CredentialBox([NEW_KEY, OLD_KEY]).rotate(sealed_with_old)
    assert CredentialBox([NEW_KEY]).open(rotated) == creds
    with pytest.raises(CredentialKeyError):
        CredentialBox([OLD_KEY]).open(rotated)


def test_naive_and_missing_expiry_survive_the_round_trip() -> None:
    box = CredentialBox([NEW_KEY])
    naive = Credentials(access_token="t", expires_at=datetime(2026, 1, 1))  # noqa: DTZ001 - stored as given
    assert box.open(box.seal(naive)).expires_at == naive.expires_at
    assert box.open(box.seal(Credentials(access_token="t"))).expires_at is None


def test_the_sealed_form_hides_every_secret() -> None:
    sealed = CredentialBox([NEW_KEY]).seal(CREDENTIALS)
    for secret in (TOKEN, "REFRESH-SECRET", "PAGE-SECRET", "organization"):
        assert secret not in sealed


def test_sealing_twice_gives_different_ciphertexts() -> None:
    box = CredentialBox([NEW_KEY])
    assert box.seal(CREDENTIALS) != box.seal(CREDENTIALS)


def test_a_box_with_the_old_key_second_still_opens_old_values() -> None:
    sealed_with_old = CredentialBox([OLD_KEY]).seal(CREDENTIALS)
    assert CredentialBox([NEW_KEY, OLD_KEY]).open(sealed_with_old) == CREDENTIALS


def test_new_values_are_sealed_with_the_first_key() -> None:
    sealed = CredentialBox([NEW_KEY, OLD_KEY]).seal(CREDENTIALS)
    assert CredentialBox([NEW_KEY]).open(sealed) == CREDENTIALS
    with pytest.raises(CredentialKeyError):
        CredentialBox([OLD_KEY]).open(sealed)


def test_a_wrong_key_raises_credential_key_error() -> None:
    sealed = CredentialBox([OLD_KEY]).seal(CREDENTIALS)
    with pytest.raises(CredentialKeyError, match="cannot be decrypted"):
        CredentialBox([NEW_KEY]).open(sealed)


def test_rotating_with_a_wrong_key_raises_credential_key_error() -> None:
    sealed = CredentialBox([OLD_KEY]).seal(CREDENTIALS)
    with pytest.raises(CredentialKeyError, match="cannot be decrypted"):
        CredentialBox([NEW_KEY]).rotate(sealed)


@pytest.mark.parametrize("sealed", ["", "not a token", Fernet.generate_key().decode()])
def test_garbage_raises_credential_key_error(sealed: str) -> None:
    with pytest.raises(CredentialKeyError):
        CredentialBox([NEW_KEY]).open(sealed)


def test_no_key_raises_credential_key_error() -> None:
    with pytest.raises(CredentialKeyError, match="POSTILLON_ENCRYPTION_KEYS"):
        CredentialBox([])


@pytest.mark.parametrize("key", ["short", "x" * 44, ""])
def test_an_invalid_key_raises_credential_key_error(key: str) -> None:
    with pytest.raises(CredentialKeyError, match="invalid encryption key"):
        CredentialBox([NEW_KEY, key])


def test_new_key_is_a_valid_fernet_key() -> None:
    key = CredentialBox.new_key()
    assert key != CredentialBox.new_key()
    Fernet(key.encode())


def test_repr_of_credentials_hides_the_tokens() -> None:
    for shown in (repr(CREDENTIALS), str(CREDENTIALS), f"{CREDENTIALS}", repr([CREDENTIALS])):
        assert TOKEN not in shown
        assert "REFRESH-SECRET" not in shown and "PAGE-SECRET" not in shown
        assert "urn:li:organization:42" in shown and "***" in shown
