"""The sandbox WSGI app and the ways to run it: in the foreground, or in a thread for tests."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from adapters.sandbox import admin, graph_api, linkedin_api, linkedin_images, pages, x_api, x_media
from adapters.sandbox.knobs import Knobs
from adapters.sandbox.routing import Handler, problem
from adapters.sandbox.state import SandboxState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

# One module per network API (graph_api serves Facebook Pages and Instagram, which share a host).
NETWORK_APIS: tuple[ModuleType, ...] = (x_api, linkedin_api, graph_api)
MAX_BODY = 1 << 20
# Media uploads carry whole images (X: GIFs up to 15 MB, sent base64 in the JSON variant; LinkedIn: no MB limit).
MAX_UPLOAD_BODY = 24 << 20
UPLOAD_PREFIXES = (*x_media.UPLOAD_PREFIXES, *linkedin_images.UPLOAD_PREFIXES)
JSON_PREFIXES = ("/2/", "/_sandbox/", *(p for m in NETWORK_APIS for p in getattr(m, "JSON_PREFIXES", ())))


class SandboxApp:
    """WSGI app: every network API, the admin API and the pages, over one shared state."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._handlers: dict[str, Handler] = {}
        rules = []
        for module in (admin, pages, *NETWORK_APIS):
            for route in module.routes():
                endpoint = f"{route.handler.__module__}.{route.handler.__name__}"
                self._handlers[endpoint] = route.handler
                rules.append(Rule(route.path, methods=list(route.methods), endpoint=endpoint))
        self.url_map = Map(rules)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_UPLOAD_BODY if request.path.startswith(UPLOAD_PREFIXES) else MAX_BODY
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Answer one request."""
        try:
            request.get_data()  # read the whole body first, so a kept-alive connection stays in sync
            endpoint, values = self.url_map.bind_to_environ(request.environ).match()
            return self._handlers[str(endpoint)](self.state, request, **values)
        except HTTPException as error:
            if error.code and error.code >= 400 and request.path.startswith(JSON_PREFIXES):
                return problem(error.code, error.name, error.description or error.name)
            return error.get_response(request.environ)
        except Exception:  # a sandbox bug must not look like a network fault: say so loudly
            logger.exception("sandbox failed on %s %s", request.method, request.path)
            return problem(500, "Sandbox Bug", "The sandbox itself failed; see its log.")


def create_sandbox_app(state: SandboxState | None = None, knobs: Mapping[str, Knobs] | None = None) -> SandboxApp:
    """Return the sandbox WSGI app over ``state`` (a fresh one, with start ``knobs``, when omitted)."""
    return SandboxApp(state if state is not None else SandboxState(knobs))


class RequestBody(io.RawIOBase):
    """The body of one request: reads stop at its Content-Length, never in the next request."""

    def __init__(self, socket_reader: io.BufferedIOBase, length: int) -> None:
        super().__init__()
        self._reader = socket_reader
        self.remaining = length

    def readable(self) -> bool:
        """Tell io that this stream can be read."""
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Read at most ``size`` bytes of the rest of the body (all of it when negative)."""
        if self.remaining <= 0:  # Werkzeug's drain asks for 10 MB: do not allocate a buffer for nothing
            return b""
        data = self._reader.read(self.remaining if size is None or size < 0 else min(size, self.remaining))
        self.remaining -= len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        """Read at most the rest of the body into ``buffer``; 0 once the body is used up."""
        if self.remaining <= 0:
            return 0
        with memoryview(buffer) as view:
            count = self._reader.readinto(view[: self.remaining])
        self.remaining -= count or 0
        return count or 0


class KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's request handler with HTTP/1.1 keep-alive working.

    Werkzeug 3 sends ``Connection: close`` on every answer and afterwards drains whatever the
    socket holds, which on a kept-alive connection would swallow the client's next request. Here
    the app only ever sees a stream that ends with the request's own body, so the drain finds
    nothing and the next request stays intact; a body that cannot be delimited (chunked, or left
    unread) still closes the connection.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms ACK wait
    quiet = False
    keep_alive = False

    def handle_one_request(self) -> None:
        """Read and answer one request; errors before the app runs close the connection as usual."""
        self.keep_alive = False
        super().handle_one_request()

    def run_wsgi(self) -> None:
        """Answer one request, keeping the connection open when its body was delimited and read."""
        socket_reader = self.rfile
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length, chunked = 0, True  # cannot tell where the body ends: answer, then close
        body = RequestBody(socket_reader, max(length, 0))
        self.keep_alive = not chunked and not self.close_connection
        if self.keep_alive:
            self.rfile = body  # type: ignore[assignment]
        try:
            super().run_wsgi()
        finally:
            self.rfile = socket_reader
            if not self.keep_alive or body.remaining:
                self.close_connection = True

    def send_header(self, keyword: str, value: str) -> None:
        """Send a header, except Werkzeug's ``Connection: close`` on a connection that stays open."""
        if keyword.lower() == "connection" and value.lower() == "close" and self.keep_alive:
            return
        super().send_header(keyword, value)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log one request line unless the server is quiet."""
        if not self.quiet:
            super().log_request(code, size)


class QuietKeepAliveHandler(KeepAliveHandler):
    """The keep-alive handler without per-request log lines (tests and benchmarks)."""

    quiet = True


def make_sandbox_server(
    host: str = "127.0.0.1",
    port: int = 8025,
    *,
    state: SandboxState | None = None,
    knobs: Mapping[str, Knobs] | None = None,
    quiet: bool = False,
) -> BaseWSGIServer:
    """Return a threaded sandbox server bound to ``host:port`` (port 0 picks a free port), not yet serving."""
    handler = QuietKeepAliveHandler if quiet else KeepAliveHandler
    app = create_sandbox_app(state, knobs)
    return make_server(host, port, app, threaded=True, request_handler=handler)


def base_url(server: BaseWSGIServer) -> str:
    """Return the ``http://host:port`` the server answers on."""
    return f"http://{server.host}:{server.port}"


def serve(
    host: str = "127.0.0.1", port: int = 8025, *, knobs: Mapping[str, Knobs] | None = None, quiet: bool = False
) -> None:
    """Run the sandbox in the foreground until interrupted."""
    server = make_sandbox_server(host, port, knobs=knobs, quiet=quiet)
    logger.info("sandbox networks on %s (what was posted: %s/)", base_url(server), base_url(server))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        _state_of(server).close()
        server.server_close()


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    state: SandboxState | None = None,
    knobs: Mapping[str, Knobs] | None = None,
    quiet: bool = True,
) -> tuple[BaseWSGIServer, threading.Thread, str]:
    """Start the sandbox in a daemon thread; return (server, thread, base URL). Stop it with ``stop``."""
    server = make_sandbox_server(host, port, state=state, knobs=knobs, quiet=quiet)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-server", daemon=True
    )
    thread.start()
    return server, thread, base_url(server)


def stop(server: BaseWSGIServer, thread: threading.Thread | None = None) -> None:
    """Stop a server started by ``start_in_thread``; hanging requests are released."""
    _state_of(server).close()
    server.shutdown()
    server.server_close()
    if thread is not None:
        thread.join(timeout=5)


def _state_of(server: BaseWSGIServer) -> SandboxState:
    app: Any = server.app
    state: SandboxState = app.state
    return state
