"""`pip install .` (not editable) gives a working application: templates, static files, the
compiled English catalogue and the migrations all travel inside the package."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fresh_checkout(destination: Path) -> Path:
    """The project's files as a clone would have them (plus files not yet added, minus what
    .gitignore leaves out: no .venv, no compiled .mo, no egg-info pointing back here)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():  # a file deleted but not yet committed is still listed
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination


def _get(url: str, language: str = "nb") -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:  # an answer, if not a good one: no retrying
        return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.mark.packaging
@pytest.mark.skipif(os.environ.get("REUSE_TEST_DB") == "postgres",
                    reason="packaging does not depend on the database: run once, on SQLite")
def test_an_installed_package_migrates_and_serves_without_the_checkout(tmp_path):
    source = _fresh_checkout(tmp_path / "checkout")
    target = tmp_path / "site"
    # Dependencies come from the test environment; only this package is built and installed.
    # pip builds it in isolation from the configured (local, offline) package index.
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-input", "--target", str(target), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    shutil.rmtree(source)  # nothing may be read from a checkout from here on

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(target), "REUSE_ENV": "production",
           "SECRET_KEY": "packaging-test-key", "BASE_URL": f"http://127.0.0.1:{port}",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'reuse.db'}",
           "UPLOAD_DIR": str(tmp_path / "uploads")}
    env.pop("FLASK_APP", None)

    def flask(*args: str, **kwargs):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "reuse", *args],
                              cwd=elsewhere, env=env, capture_output=True, text=True, **kwargs)

    where = subprocess.run([sys.executable, "-c", "import reuse; print(reuse.__file__)"],
                           cwd=elsewhere, env=env, check=True, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(target)

    upgraded = flask("db", "upgrade", timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "0017_check_outcomes" in flask("db", "current", timeout=60).stdout

    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "reuse", "run",
                                   "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
                                  cwd=elsewhere, env=env, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, norwegian = _get(f"{base}/login")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"no server: {log.read_text()}") from None
                time.sleep(0.2)
        assert status == 200, norwegian
        assert "Logg inn" in norwegian

        assert 'href="/static/css/app.css' in norwegian
        status, content_type, stylesheet = _get(f"{base}/static/css/app.css")
        assert (status, content_type.split(";")[0]) == (200, "text/css")
        assert stylesheet.strip()

        status, _, english = _get(f"{base}/login", language="en-GB,en;q=0.9")
        assert status == 200
        assert "Sign in" in english and "Logg inn" not in english
    finally:
        server.terminate()
        server.wait(timeout=10)
