"""`python -m devstack demo|run`: entry point only wires."""
from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
