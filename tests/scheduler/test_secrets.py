"""Local secrets for a zero-configuration install: generated once, private, reused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scheduler import secrets as local_secrets
from scheduler.config import Settings
from scheduler.crypto import CredentialBox
from scheduler.ports import Credentials
from scheduler.secrets import with_local_secrets


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secrets_are_created_once_with_mode_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "instance" / "nested"
    settings = with_local_secrets(Settings(data_dir=str(data_dir)))

    secret_file, key_file = data_dir / "secret_key", data_dir / "encryption_key"
    assert _mode(secret_file) == _mode(key_file) == 0o600
    assert settings.secret_key == secret_file.read_text() and len(settings.secret_key) >= 40
    assert settings.encryption_keys == (key_file.read_text(),)
    box = CredentialBox(settings.encryption_keys)
    assert box.open(box.seal(Credentials("t"))) == Credentials("t")


def test_secrets_are_reused_on_the_next_start(tmp_path: Path) -> None:
    first = with_local_secrets(Settings(data_dir=str(tmp_path)))
    files = {path.name: (path.read_text(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()}
    second = with_local_secrets(Settings(data_dir=str(tmp_path)))
    assert (second.secret_key, second.encryption_keys) == (first.secret_key, first.encryption_keys)
    assert {path.name: (path.read_text(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()} == files


def test_existing_files_are_read_without_surrounding_whitespace(tmp_path: Path) -> None:
    key = CredentialBox.new_key()
    (tmp_path / "secret_key").write_text("flask-secret\n")
    (tmp_path / "encryption_key").write_text(f"{key}\n")
    settings = with_local_secrets(Settings(data_dir=str(tmp_path)))
    assert (settings.secret_key, settings.encryption_keys) == ("flask-secret", (key,))


def test_configured_secrets_are_used_and_nothing_is_written(tmp_path: Path) -> None:
    configured = Settings(data_dir=str(tmp_path / "data"), secret_key="from-env", encryption_keys=("k1", "k2"))
    settings = with_local_secrets(configured)
    assert settings == configured
    assert not (tmp_path / "data").exists()


def test_a_file_written_by_a_process_starting_at_the_same_time_wins(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret_key"
    path.write_text("written-by-the-other-process")
    # The other process created the file between our exists() check and our exclusive create.
    monkeypatch.setattr(Path, "exists", lambda self: False)
    assert local_secrets._read_or_create(path, "ours") == "written-by-the-other-process"
    assert path.read_text() == "written-by-the-other-process"
