"""The project's production settings plus a bench-only URLconf and static root.

Used by ``bench.run`` and the gunicorn it starts; never by the application itself.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
# Production static storage (manifest) needs collected files; keep them under bench/out.
STATIC_ROOT = BASE_DIR / "bench" / "out" / "static"
