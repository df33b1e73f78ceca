"""Interleaved timing with robust statistics, for a noisy machine.

The contenders of one scenario are timed in the same rounds: each round runs one short batch of
calls per contender (the starting contender rotates from round to round), so a burst of load from
elsewhere falls on every contender alike rather than on one of them. Every batch gives one sample,
the mean time per call inside it; the garbage collector is paused during a batch and runs between
batches.

Other processes can only add time to a batch, never take it away, so the summary of a contender is
the minimum of its samples (the least disturbed batch; short batches make undisturbed ones likely),
and an overhead is the difference of two minimums. Its uncertainty comes from a bootstrap over
rounds (rounds resampled with replacement, every contender's sample of a round kept together): the
2.5th and 97.5th percentiles of the recomputed difference. Medians are kept in the JSON as well.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True)
class Cell:
    """One contender's timed call for one scenario: ``target(*args)``."""

    key: str
    target: Callable[..., Any]
    args: tuple[Any, ...] = ()


def _batch(target: Callable[..., Any], args: tuple[Any, ...], calls: int) -> int:
    """Nanoseconds for ``calls`` calls, with the garbage collector paused."""
    loop = itertools.repeat(None, calls)
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in loop:
            target(*args)
        end = time.perf_counter_ns()
    finally:
        if enabled:
            gc.enable()
    return end - start


def calibrate(cell: Cell, batch_ns: float) -> int:
    """How many calls make one batch of about ``batch_ns`` (at least one)."""
    for _ in range(3):  # warm-up: caches, first-request work
        cell.target(*cell.args)
    calls = 1
    while True:
        elapsed = _batch(cell.target, cell.args, calls)
        if elapsed >= batch_ns / 5 or calls >= 1 << 24:
            break
        calls *= 10
    return max(1, round(calls * batch_ns / max(elapsed, 1)))


def interleave(cells: Sequence[Cell], rounds: int, batch_ns: float) -> dict[str, list[float]]:
    """Per cell, one sample (ns per call) per round; the cells share the rounds."""
    sizes = [calibrate(cell, batch_ns) for cell in cells]
    gc.collect()
    samples: dict[str, list[float]] = {cell.key: [] for cell in cells}
    count = len(cells)
    for r in range(rounds):
        for i in range(count):
            j = (i + r) % count
            cell = cells[j]
            calls = sizes[j]
            samples[cell.key].append(_batch(cell.target, cell.args, calls) / calls)
    return samples


@dataclasses.dataclass(frozen=True)
class Summary:
    """One contender's samples (ns per call)."""

    minimum: float
    median: float
    q1: float
    q3: float
    n: int


def summarise(samples: Sequence[float]) -> Summary:
    ordered = sorted(samples)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return Summary(ordered[0], statistics.median(ordered), q1, q3, len(ordered))


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A point estimate with a bootstrap 95% interval."""

    value: float
    low: float
    high: float


BOOTSTRAP_REPLICATES = 400


def _bootstrap(
    samples: Sequence[float],
    baseline: Sequence[float],
    statistic: Callable[[float, float], float],
    seed: int,
) -> Estimate:
    if len(samples) != len(baseline) or not samples:
        raise ValueError("samples and baseline need one value per round each")
    value = statistic(min(samples), min(baseline))
    rng = random.Random(seed)
    n = len(samples)
    replicates = []
    for _ in range(BOOTSTRAP_REPLICATES):
        rounds = [rng.randrange(n) for _ in range(n)]
        replicates.append(
            statistic(min(samples[i] for i in rounds), min(baseline[i] for i in rounds))
        )
    replicates.sort()
    low = replicates[int(0.025 * (BOOTSTRAP_REPLICATES - 1))]
    high = replicates[int(0.975 * (BOOTSTRAP_REPLICATES - 1))]
    return Estimate(value, min(low, value), max(high, value))


def min_difference(samples: Sequence[float], baseline: Sequence[float], seed: int = 0) -> Estimate:
    """min(samples) - min(baseline), with a bootstrap interval over rounds."""
    return _bootstrap(samples, baseline, lambda a, b: a - b, seed)


def min_ratio(samples: Sequence[float], baseline: Sequence[float], seed: int = 0) -> Estimate:
    """min(samples) / min(baseline), with a bootstrap interval over rounds."""
    return _bootstrap(samples, baseline, lambda a, b: a / b, seed)


@dataclasses.dataclass(frozen=True)
class SpeedUp:
    """Flask-CORS's overhead divided by a fastcors engine's.

    When the fastcors overhead is not clearly above zero (its interval reaches zero, or it is not
    above the run's ``resolution`` where one is known), the value is a lower bound
    (``lower_bound``): Flask-CORS's overhead over :func:`overhead_bound`.
    ``value`` is None when Flask-CORS's own overhead is not clearly above zero (too noisy to say
    anything).
    """

    value: float | None
    lower_bound: bool

    def __str__(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "n/a"
        return f"{'>=' if self.lower_bound else ''}{self.value:.1f}x"


def speed_up(reference: Estimate, contender: Estimate, resolution: float = 0.0) -> SpeedUp:
    """Flask-CORS's overhead (``reference``) over a contender's, both in ns; ``resolution``: the
    smallest overhead the run resolves (the A/A control's deviation, where there is one)."""
    if reference.low <= 0 or reference.value <= resolution:
        return SpeedUp(None, False)
    if contender.low > 0 and contender.value > resolution:
        return SpeedUp(reference.value / contender.value, False)
    return SpeedUp(reference.value / overhead_bound(contender, resolution), True)


def overhead_bound(contender: Estimate, resolution: float = 0.0) -> float:
    """The largest overhead (ns) a measurement cannot tell from the point estimate: the top of its
    interval, the estimate plus the resolution, or the interval's width (an interval entirely
    below zero is noise of that size), whichever is largest; at least 1 ns."""
    return max(contender.high, contender.value + resolution, contender.high - contender.low, 1.0)


def geometric_mean(values: Sequence[float | None]) -> float:
    """The geometric mean; NaN when empty or when any value is missing or not positive."""
    if not values or any(v is None or not v > 0 for v in values):
        return math.nan
    return math.exp(sum(math.log(v) for v in values if v is not None) / len(values))
