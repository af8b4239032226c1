"""Project glue and the one home of test and development infrastructure.

`devstack.servers` (``free_port``, the gunicorn launcher ``GunicornServer``, the signing
``ChainServer``) and `devstack.resource_server` (a resource server on 127.0.0.1 that plays the
Ride Hailer and LWA profile APIs) are shared by tests, bench and this package; nothing
imports from ``tests/``. `devstack.stack` starts the Ride Hailer service and the skill's web
host as real server processes on 127.0.0.1; `devstack.demo` runs the scripted dialog through
`alexa-linkcheck simulate` against them; `devstack.run` keeps them up for manual use. Only
this package knows all three parts; alexa_linkcheck and the skill stay independent of each other.
"""
from __future__ import annotations
