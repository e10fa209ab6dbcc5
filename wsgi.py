"""Entry point for gunicorn: `gunicorn wsgi:app`."""

import logging
import os

from reuse import create_app
from reuse.serving import settle

# One line per record on stderr, where the platform collects them; LOG_LEVEL=WARNING quietens
# the per-request lines.
logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                    format="%(asctime)s %(levelname)s %(name)s %(message)s")

# Built once per process; what it holds is set aside from the garbage collector (serving.py).
app = settle(create_app())
