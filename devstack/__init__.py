"""Project glue for `make demo` and `make run`: the service, the skill's web host, a signing identity.

`devstack.stack` starts the Ride Hailer service and the skill's web host as real server
processes on 127.0.0.1; `devstack.demo` runs the scripted dialog through `linkcheck
simulate` against them; `devstack.run` keeps them up for manual use. Only this package
knows all three parts; linkcheck and the skill stay independent of each other.
"""
from __future__ import annotations
