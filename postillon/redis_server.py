"""Find a Redis for `postillon run`: the configured one, a local redis-server, or an embedded one."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


@dataclass
class RedisHandle:
    """The Redis in use and how to stop it if this process started it."""

    url: str
    kind: str  # "configured", "redis-server" or "embedded"
    process: subprocess.Popen[bytes] | None = None
    _server: object | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop a Redis this process started; leave a configured one alone."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self._server is not None:
            self._server.shutdown()  # type: ignore[attr-defined]
            self._server.server_close()  # type: ignore[attr-defined]


def answers(url: str, timeout_s: float = 0.5) -> bool:
    """Tell whether a Redis answers PING at ``url``."""
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s).ping())
    except (RedisError, OSError, ValueError):
        return False


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_redis(url: str, data_dir: Path, *, allow_binary: bool = True) -> RedisHandle:
    """Return a Redis to use: ``url`` if it answers, else a started redis-server, else an embedded one."""
    if answers(url):
        return RedisHandle(url=url, kind="configured")
    binary = shutil.which("redis-server") if allow_binary else None
    if binary:
        port = free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(data_dir.resolve())],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started = f"redis://127.0.0.1:{port}/0"
        if _wait_for(started):
            return RedisHandle(url=started, kind="redis-server", process=process)
        process.terminate()
    return start_embedded()


def start_embedded() -> RedisHandle:
    """Start fakeredis's TCP server in a thread (needs the fakeredis[lua] extra: RQ runs Lua scripts).

    Far slower than Redis and lost on exit; only for a machine without redis-server.
    """
    from fakeredis import TcpFakeServer

    port = free_port()
    server = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    threading.Thread(target=server.serve_forever, name="embedded-redis", daemon=True).start()
    url = f"redis://127.0.0.1:{port}/0"
    if not _wait_for(url):
        raise RuntimeError("the embedded Redis did not start")
    return RedisHandle(url=url, kind="embedded", _server=server)


def _wait_for(url: str, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if answers(url, 0.2):
            return True
        time.sleep(0.05)
    return False
