"""The production server (gunicorn) on loopback for the benchmark, and a small HTTP client.

`serve()` starts gunicorn as a subprocess with the production settings and stops it again;
`Client` talks to it over one keep-alive connection and keeps its session cookie itself;
`login()` signs in through the real login form.

Run on its own to try a server against an existing database:

    .venv/bin/python -m bench.server --database-url postgresql+psycopg://...  # Ctrl+C stops
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import Message
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Sync workers, four of them, on a 2-core machine. The app is CPU-bound Python (templates,
# forms, ORM objects) between short PostgreSQL queries: two processes per core keep both
# cores busy while one of them waits for the database, and separate processes do not fight
# over one GIL as threads would. It is also what `gunicorn wsgi:app` (the README's
# production command) runs by default. The price is that sync workers close the connection
# after every answer (no keep-alive): the client reconnects, which on loopback costs a few
# tens of microseconds, well under the spread of the figures measured. Under the load run,
# sync workers take the next connection from the shared listen queue, so a slow request
# never holds up keep-alive connections parked on a busy worker, as gthread workers can.
# BENCH_WORKERS and BENCH_WORKER_CLASS (e.g. gthread) override, to compare.
DEFAULT_WORKERS = 4
DEFAULT_WORKER_CLASS = "sync"

START_TIMEOUT_S = 300.0  # each worker loads the baseline's in-memory pages while booting
STOP_TIMEOUT_S = 30.0


class ServerError(RuntimeError):
    """The server did not start, or answered something the benchmark cannot use."""


def free_port() -> int:
    """A loopback port nobody listens on right now (gunicorn binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_path() -> Path:
    """The gunicorn of this environment: the script next to the running Python.

    Not resolved: .venv/bin/python is a symlink into the system Python, and the venv's
    scripts sit beside the link, not beside its target.
    """
    path = Path(sys.executable).parent / "gunicorn"
    if not path.exists():
        raise ServerError(f"gunicorn not found at {path}; run `make install` first")
    return path


def server_environment(database_url: str, upload_dir: Path, base_url: str,
                       extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a production deployment, with what a benchmark on loopback needs."""
    env = dict(os.environ)
    env.update({
        "REUSE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(upload_dir),
        "BASE_URL": base_url,
        # Per-request log lines would cost time in every request; warnings still show.
        "LOG_LEVEL": "WARNING",
        # Only failed logins count, but the load run signs in its users from one address
        # within seconds: no limit should ever be what a benchmark measures.
        "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


@dataclass
class Server:
    """A running gunicorn: where it answers, and where its log goes."""

    base_url: str
    process: subprocess.Popen
    log_path: Path
    workers: int

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def serve(database_url: str, *, app: str = "bench.baseline_app:app",
          workers: int | None = None, worker_class: str | None = None,
          env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Run gunicorn with the production settings on a free loopback port until the block ends.

    `env` adds variables (the baseline app reads its BENCH_* settings from there). The log
    (gunicorn's and the app's warnings) is kept in a temporary file and shown on failure.
    """
    workers = workers or int(os.environ.get("BENCH_WORKERS", DEFAULT_WORKERS))
    worker_class = worker_class or os.environ.get("BENCH_WORKER_CLASS", DEFAULT_WORKER_CLASS)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="reuse-bench-server-") as scratch:
        upload_dir = Path(scratch) / "uploads"
        upload_dir.mkdir()
        log_path = Path(scratch) / "gunicorn.log"
        command = [
            str(gunicorn_path()), app,
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", worker_class,
            "--chdir", str(PROJECT_ROOT),  # so `bench.baseline_app` and `wsgi` import
            "--timeout", "300",  # a report over millions of records must not be killed
            "--graceful-timeout", "10",
            "--log-level", "warning",
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                env=server_environment(database_url, upload_dir, base_url, env),
                start_new_session=True)  # its own process group: stopped as one
        server = Server(base_url, process, log_path, workers)
        try:
            _wait_until_ready(server)
            yield server
        finally:
            _stop(server)


def _wait_until_ready(server: Server) -> None:
    """Until /healthz answers 200 (or the server gives up).

    That is one worker up; the others may still be importing the app. Requests go only to
    workers that have started, and the measurements warm every worker up before timing.
    """
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(f"gunicorn exited with {server.process.returncode}:\n"
                              f"{server.log_tail()}")
        try:
            if Client(server.base_url).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServerError(f"gunicorn did not answer within {START_TIMEOUT_S:.0f} s:\n"
                      f"{server.log_tail()}")


def _stop(server: Server) -> None:
    """SIGTERM to gunicorn's process group (graceful), SIGKILL if it does not go in time."""
    if server.process.poll() is not None:
        return
    pgid = os.getpgid(server.process.pid)
    os.killpg(pgid, signal.SIGTERM)
    try:
        server.process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(pgid, signal.SIGKILL)
        server.process.wait()


# -- the client -----------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


_COOKIE_NAME_VALUE = re.compile(r"^\s*([^=;\s]+)=([^;]*)")


@dataclass
class Client:
    """One HTTP/1.1 connection, kept alive while the server allows (sync workers close it
    after every answer; http.client then reconnects), with the server's cookies kept here.

    Why not http.cookiejar: in production the app marks its session cookie Secure (it runs
    behind a TLS-terminating proxy), and a cookie jar rightly never sends a Secure cookie
    over plain http://. On loopback there is no TLS, so this client keeps the cookies
    itself and sends them back regardless of their attributes, as the browser behind the
    proxy would. The app is measured with its production settings unchanged.
    """

    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 300.0
    cookies: dict[str, str] = field(default_factory=dict)
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> Response:
        """Send one request and read the whole answer. Redirects are not followed."""
        sent = {"Host": urlsplit(self.base_url).netloc, **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = self._connection is not None and self._connection.sock is not None
            try:
                connection = self._connect()
                connection.request(method, path, body=body, headers=sent)
                answer = connection.getresponse()
                response = Response(answer.status, answer.headers, answer.read())
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed the connection: once more on a new one. A GET is safe
                # to repeat; anything else only if it went out on a kept-alive connection
                # the server had dropped while idle, so it was never processed.
                self.close()
                if attempt == 2 or not (reused or method in {"GET", "HEAD"}):
                    raise
        self._keep_cookies(response.headers)
        return response

    def get(self, path: str, *, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: Mapping[str, str]) -> Response:
        return self.request("POST", path, body=urlencode(fields).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded"})

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            parts = urlsplit(self.base_url)
            self._connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=self.timeout_s)
        # http.client reconnects by itself when the server closed after the last answer.
        return self._connection

    def _keep_cookies(self, headers: Message) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            found = _COOKIE_NAME_VALUE.match(header)
            if not found:
                continue
            name, value = found.groups()
            lowered = header.lower()
            # Flask deletes a cookie by setting it empty and expired.
            if not value or "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


_CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")


def csrf_token(html: str) -> str:
    """The value of the first csrf_token hidden input of a page."""
    found = _CSRF_INPUT.search(html)
    value = _VALUE.search(found.group(0)) if found else None
    if value is None:
        raise ServerError("no csrf_token input on the page")
    return unescape(value.group(1))


def form_token(client: Client, path: str) -> str:
    """GET a page with a form (expecting 200) and return its CSRF token."""
    response = client.get(path)
    if response.status != 200:
        raise ServerError(f"GET {path} answered {response.status}, not 200")
    return csrf_token(response.text)


def login(base_url: str, email: str, password: str) -> Client:
    """A client signed in through the real login form (GET /login, POST the form)."""
    client = Client(base_url)
    token = form_token(client, "/login")
    response = client.post_form("/login", {"csrf_token": token, "email": email,
                                           "password": password})
    if response.status not in (302, 303) or "session" not in client.cookies:
        raise ServerError(f"login as {email} failed: {response.status}, "
                          f"{_form_problem(response.text)}")
    # Follow the redirect as a browser would. The login starts a new session, and the page
    # after it puts a CSRF token in it (and shows the welcome message once): from here on
    # every copy of this session's cookie carries the same token for its forms.
    landing = client.get(urlsplit(response.location).path or "/")
    if landing.status != 200:
        raise ServerError(f"after login as {email}: {response.location} answered "
                          f"{landing.status}")
    return client


def _form_problem(html: str) -> str:
    """The first error message a page shows, for a readable failure."""
    found = re.search(r"class=\"[^\"]*ds-error-message[^\"]*\"[^>]*>([^<]+)<", html)
    return unescape(found.group(1)).strip() if found else "no error shown on the page"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--app", default="wsgi:app",
                        help="WSGI app (bench.baseline_app:app needs the BENCH_* settings)")
    args = parser.parse_args()
    with serve(args.database_url, app=args.app) as server:
        print(f"serving at {server.base_url}; Ctrl+C stops", flush=True)
        with suppress(KeyboardInterrupt):
            server.process.wait()


if __name__ == "__main__":
    main()
