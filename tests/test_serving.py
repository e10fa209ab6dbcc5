"""The production entry point sets what its process built aside from the garbage collector."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_gunicorn_entry_point_leaves_its_long_lived_objects_out_of_full_collections(
        tmp_path):
    # A fresh interpreter: what `gunicorn wsgi:app` imports in each worker.
    env = {**os.environ, "REUSE_ENV": "production", "SECRET_KEY": "k" * 64,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'reuse.sqlite3'}",
           "UPLOAD_DIR": str(tmp_path / "uploads"), "BASE_URL": "https://gjenbruk.example"}
    done = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    # The modules, the app and its libraries' tables: far more than a hundred thousand.
    assert int(done.stdout.strip().splitlines()[-1]) > 100_000
