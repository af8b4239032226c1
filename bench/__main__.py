"""`python -m bench [FIGURE ...]`: run the benchmarks, print the table, write results.json."""
from __future__ import annotations

import sys

from bench.run import main

sys.exit(main(sys.argv[1:]))
