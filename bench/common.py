"""Shared helpers: paths, run lengths, percentiles, timing loops and the result rows."""
from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_DIR = ROOT / "lambda"
#: The Ride Hailer web host (module ``webservice``).
WEBHOST_DIR = ROOT / "webhost"
#: The Alexa envelopes the skill figures send (JSON data shared with the tests; no code is imported from tests/).
SKILL_FIXTURES = ROOT / "tests" / "skill" / "fixtures"


def setup_paths() -> None:
    """Put lambda/, webhost/ and the repository root on sys.path (local servers and the PKI come from devstack/)."""
    for path in (LAMBDA_DIR, WEBHOST_DIR, ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def quick() -> bool:
    """BENCH_QUICK=1: a smoke run with tiny run lengths (numbers are not meaningful)."""
    return os.environ.get("BENCH_QUICK", "").strip() not in ("", "0", "false", "no")


def scaled(full: int, smoke: int) -> int:
    """The run length for this mode."""
    return smoke if quick() else full


def cpu_split() -> tuple[set[int], set[int]] | None:
    """(server CPUs, client CPUs): the last of this process's CPUs for the servers, the rest for the load.

    One server CPU whatever the machine, so the load's client threads (one Python process)
    can always keep it busy. None when there are fewer than two CPUs or the platform cannot
    pin (then servers and clients share them).
    """
    getter = getattr(os, "sched_getaffinity", None)
    if getter is None or not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(getter(0))
    if len(cpus) < 2:
        return None
    return {cpus[-1]}, set(cpus[:-1])


@contextlib.contextmanager
def on_cpus(cpus: set[int] | None) -> Iterator[None]:
    """Run the calling thread (and processes and threads it starts meanwhile) on ``cpus``; None: no change."""
    if cpus is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def process_tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` and its direct children (a gunicorn master and its workers).

    Read from /proc; None where /proc cannot tell (not Linux, or no ``children`` file).
    """
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0
        for process in [pid, *map(int, children)]:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest-rank on sorted values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def summary_us(samples_s: Sequence[float]) -> dict[str, float]:
    """p50, p99 and mean of samples in seconds, in microseconds."""
    return {
        "p50_us": round(percentile(samples_s, 50) * 1e6, 1),
        "p99_us": round(percentile(samples_s, 99) * 1e6, 1),
        "mean_us": round(statistics.fmean(samples_s) * 1e6, 1) if samples_s else float("nan"),
        "n": len(samples_s),
    }


def timed(call: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def interleaved_batches(
    variants: dict[str, Callable[[], Any]], rounds: int, batch: int
) -> dict[str, list[float]]:
    """Per-call seconds of each batch, variants alternating batch by batch (order flips each round)."""
    names = list(variants)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        order = names if index % 2 == 0 else list(reversed(names))
        for name in order:
            call = variants[name]
            start = time.perf_counter()
            for _ in range(batch):
                call()
            per_call[name].append((time.perf_counter() - start) / batch)
    return per_call


def interleaved_samples(variants: dict[str, Callable[[], Any]], count: int) -> dict[str, list[float]]:
    """Seconds of single calls, variants alternating call by call (order flips each round)."""
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(count):
        order = names if index % 2 == 0 else list(reversed(names))
        for name in order:
            samples[name].append(timed(variants[name]))
    return samples


def paired_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """Median of round-by-round ratios: robust to load that drifts during the run."""
    return statistics.median(a / b for a, b in zip(numerator, denominator))


def paired(numerator: Sequence[float], denominator: Sequence[float]) -> tuple[float, float, float]:
    """The one rule for every judged ratio: (median, lowest, highest) of the paired round ratios.

    Rounds are interleaved (variants alternate, order flipped), so each pair saw the same
    load; the median is the verdict, the lowest..highest spread is printed beside it.
    """
    ratios = [a / b for a, b in zip(numerator, denominator)]
    return statistics.median(ratios), min(ratios), max(ratios)


@dataclass
class Row:
    """One line of the table: a figure, what was measured, its target and verdict."""

    figure: str
    metric: str
    measured: float
    unit: str
    target: str = ""
    #: None when the row has no target (informational)
    ok: Optional[bool] = None
    details: dict[str, Any] = field(default_factory=dict)
    #: (lowest, highest) paired round ratio behind a judged ratio
    spread: Optional[tuple[float, float]] = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ratio_row(figure: str, metric: str, value: float, target: str, ok: bool,
              spread: Optional[tuple[float, float]] = None, **details: Any) -> Row:
    """A ratio row with its verdict (and the spread of its paired rounds)."""
    shown = None if spread is None else (round(spread[0], 3), round(spread[1], 3))
    return Row(figure, metric, round(value, 3), "x", target, ok, details, shown)
