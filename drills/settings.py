"""Production settings for the drills' processes, with one change: log lines are not masked.

The drill scans its processes' logs for addresses, link secrets and passwords; masking would
hide exactly what the scan must find (code that logs them). Never used by the application.
"""

from typing import Any

from config.settings import *  # noqa: F403
from config.settings import LOGGING

formatters: dict[str, Any] = LOGGING["formatters"]  # type: ignore[assignment]
formatters["json"] = {"()": "peregister.ops.logs.JsonFormatter", "masked": False}
