"""Settings from the environment: the one place that reads it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scheduler.config import Settings
from scheduler.networks import Network


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.database_url == "sqlite:///instance/postillon.db"
    assert settings.default_tz == "Europe/Vienna"
    assert settings.api_urls == {} and settings.client_ids == {}
    assert settings.sandbox is True and settings.secure_cookies is False


def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTILLON_WEB_PORT", "8123")
    assert Settings.from_env().web_port == 8123


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://app:pw@db:5432/postillon", "postgresql+psycopg://app:pw@db:5432/postillon"),
        ("postgresql://app@db/postillon", "postgresql+psycopg://app@db/postillon"),
        ("postgresql+psycopg://app@db/postillon", "postgresql+psycopg://app@db/postillon"),
        ("sqlite:////var/lib/postillon/p.db", "sqlite:////var/lib/postillon/p.db"),
    ],
)
def test_database_url_is_normalised_to_psycopg(url: str, expected: str) -> None:
    assert Settings.from_env({"DATABASE_URL": url}).database_url == expected


def test_redis_url_is_read() -> None:
    assert Settings.from_env({"REDIS_URL": "redis://cache:6380/2"}).redis_url == "redis://cache:6380/2"


def test_empty_database_and_redis_urls_keep_the_defaults() -> None:
    settings = Settings.from_env({"DATABASE_URL": "", "REDIS_URL": ""})
    assert (settings.database_url, settings.redis_url) == (Settings().database_url, Settings().redis_url)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("TRUE", True), (" yes ", True),
                                               ("on", True), ("0", False), ("false", False), ("no", False),
                                               ("off", False), ("", False)])
def test_booleans(raw: str, expected: bool) -> None:
    settings = Settings.from_env({"POSTILLON_SECURE_COOKIES": raw, "POSTILLON_SANDBOX": raw})
    assert settings.secure_cookies is expected and settings.sandbox is expected


def test_numbers_are_parsed_by_the_defaults_type() -> None:
    settings = Settings.from_env({
        "POSTILLON_WEB_PORT": "9000", "POSTILLON_MAX_ATTEMPTS": "6", "POSTILLON_LEASE_S": "300",
        "POSTILLON_DISPATCH_INTERVAL_S": "0.25", "POSTILLON_RETRY_CAP_S": "3600.5",
    })
    assert (settings.web_port, settings.max_attempts) == (9000, 6)
    assert isinstance(settings.lease_s, float) and settings.lease_s == 300.0
    assert (settings.dispatch_interval_s, settings.retry_cap_s) == (0.25, 3600.5)


def test_a_malformed_number_is_an_error() -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"POSTILLON_WEB_PORT": "eighty"})


def test_encryption_keys_are_a_comma_separated_list_newest_first() -> None:
    settings = Settings.from_env({"POSTILLON_ENCRYPTION_KEYS": " new-key , old-key,, "})
    assert settings.encryption_keys == ("new-key", "old-key")


def test_strings_are_taken_as_they_are() -> None:
    settings = Settings.from_env({"POSTILLON_SECRET_KEY": "s3cret", "POSTILLON_DEFAULT_TZ": "Europe/Berlin",
                                  "POSTILLON_BASE_URL": "https://social.acme.example"})
    assert (settings.secret_key, settings.default_tz, settings.base_url) == (
        "s3cret", "Europe/Berlin", "https://social.acme.example")


def test_per_network_urls_ids_and_secrets() -> None:
    settings = Settings.from_env({
        "POSTILLON_X_API_URL": "http://127.0.0.1:8025/",
        "POSTILLON_LINKEDIN_API_URL": "https://api.linkedin.com",
        "POSTILLON_FACEBOOK_API_URL": "",  # empty: not configured
        "POSTILLON_X_UPLOAD_URL": "http://127.0.0.1:8025",
        "POSTILLON_INSTAGRAM_CLIENT_ID": "ig-app",
        "POSTILLON_INSTAGRAM_CLIENT_SECRET": "ig-secret",
    })
    assert settings.api_urls == {Network.X: "http://127.0.0.1:8025", Network.LINKEDIN: "https://api.linkedin.com"}
    assert settings.upload_urls == {Network.X: "http://127.0.0.1:8025"}
    assert settings.client_ids == {Network.INSTAGRAM: "ig-app"}
    assert settings.client_secrets == {Network.INSTAGRAM: "ig-secret"}


def test_mapping_fields_cannot_be_set_as_one_string_and_unknown_variables_are_ignored() -> None:
    settings = Settings.from_env({"POSTILLON_API_URLS": "http://evil", "POSTILLON_NO_SUCH_THING": "1",
                                  "SECRET_KEY": "not ours"})
    assert settings.api_urls == {} and settings.secret_key == ""


def test_with_sandbox_urls_fills_only_networks_without_an_explicit_url() -> None:
    settings = Settings.from_env({"POSTILLON_LINKEDIN_API_URL": "https://api.linkedin.com",
                                  "POSTILLON_SANDBOX_PORT": "9025"}).with_sandbox_urls()
    assert settings.sandbox_url == "http://127.0.0.1:9025"
    assert settings.api_urls[Network.LINKEDIN] == "https://api.linkedin.com"
    assert all(settings.api_urls[n] == "http://127.0.0.1:9025" for n in Network if n is not Network.LINKEDIN)
    assert all(settings.upload_urls[n] == "http://127.0.0.1:9025" for n in Network)


def test_data_path_and_frozen_settings() -> None:
    settings = Settings.from_env({"POSTILLON_DATA_DIR": "/var/lib/postillon"})
    assert settings.data_path == Path("/var/lib/postillon")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.web_port = 1  # type: ignore[misc]


def test_settings_survive_the_trip_through_the_environment_to_a_child_process() -> None:
    settings = Settings(database_url="postgresql+psycopg://u@h/db?options=-csearch_path%3Dx",
                        redis_url="redis://127.0.0.1:6379/3", encryption_keys=("new", "old"),
                        api_urls={Network.X: "http://127.0.0.1:8025"}, client_ids={Network.LINKEDIN: "abc"},
                        sandbox=False, lease_s=3.5, workers=4, secret_key="s")
    assert Settings.from_env(settings.to_env()) == settings
