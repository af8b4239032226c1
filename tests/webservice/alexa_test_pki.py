"""The throw-away Alexa-like PKI, now shared with the demo: see tool/alexa_linkcheck/simulator/signing.py."""
from __future__ import annotations

from alexa_linkcheck.simulator.signing import (  # noqa: F401  (re-exported for the web-host tests)
    ALEXA_SAN,
    Authority,
    SigningIdentity,
    make_alexa_like_chain,
    make_intermediate,
    make_root,
    make_signing_identity,
)
