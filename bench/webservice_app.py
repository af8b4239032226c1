"""The web host as gunicorn serves it in figure 4: `webservice.create_app()` from the environment.

Only difference from production wiring: the per-request "verification is OFF" warning is
silenced, so the unverified variant does not pay for a log line the verified one never writes
(the in-process variant does the same).
"""
from __future__ import annotations

import logging
from typing import Any


def create() -> Any:
    """The Flask app of the web host (settings from the environment)."""
    from webservice import create_app

    logging.getLogger("account_linking.webservice").setLevel(logging.ERROR)
    return create_app()
