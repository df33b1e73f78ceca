"""Interleaved timing with robust statistics, for a noisy machine.

The contenders of one scenario are timed in the same rounds: each round runs one batch of calls
per contender (the starting contender rotates from round to round), so a burst of load from
elsewhere hits every contender alike instead of one of them. Every batch gives one sample, the mean
time per call inside it; the garbage collector is paused during a batch (and runs between them).

Statistics, per contender: the median of its samples (µs per call) and, against a baseline
contender, the median of the per-round differences (the overhead, paired by round) with a
standard error from the median absolute deviation (SE of a median ~ 1.2533·sigma/sqrt(n), sigma ~ 1.4826·MAD).
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

#: SE of a median from the MAD: 1.2533 (median efficiency) * 1.4826 (MAD to sigma).
_MAD_TO_MEDIAN_SE = 1.2533 * 1.4826


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
    """Robust summary of one contender's samples (ns per call)."""

    median: float
    minimum: float
    q1: float
    q3: float
    n: int


def summarise(samples: Sequence[float]) -> Summary:
    ordered = sorted(samples)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return Summary(statistics.median(ordered), ordered[0], q1, q3, len(ordered))


@dataclasses.dataclass(frozen=True)
class Paired:
    """Median of per-round differences (or ratios) and the standard error of that median."""

    median: float
    se: float


def paired_difference(samples: Sequence[float], baseline: Sequence[float]) -> Paired:
    diffs = [a - b for a, b in zip(samples, baseline, strict=True)]
    return _median_se(diffs)


def paired_ratio(samples: Sequence[float], baseline: Sequence[float]) -> Paired:
    ratios = [a / b for a, b in zip(samples, baseline, strict=True) if b > 0]
    return _median_se(ratios)


def _median_se(values: Sequence[float]) -> Paired:
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return Paired(median, _MAD_TO_MEDIAN_SE * mad / math.sqrt(len(values)))


@dataclasses.dataclass(frozen=True)
class SpeedUp:
    """Flask-CORS's overhead divided by a fastcors engine's.

    When the fastcors overhead is not clearly above zero (less than two standard errors), the value
    is a lower bound: Flask-CORS's overhead over the overhead's upper bound (``lower_bound``).
    ``value`` is None when Flask-CORS's own overhead is not clearly above zero (too noisy to say).
    """

    value: float | None
    lower_bound: bool

    def __str__(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "n/a"
        return f"{'>=' if self.lower_bound else ''}{self.value:.1f}x"


def speed_up(reference: Paired, contender: Paired) -> SpeedUp:
    if reference.median <= 2 * reference.se or reference.median <= 0:
        return SpeedUp(None, False)
    if contender.median > 2 * contender.se and contender.median > 0:
        return SpeedUp(reference.median / contender.median, False)
    ceiling = max(contender.median + 2 * contender.se, 2 * contender.se, 1.0)  # ns
    return SpeedUp(reference.median / ceiling, True)


def geometric_mean(values: Sequence[float | None]) -> float:
    """The geometric mean; NaN when empty or when any value is missing or not positive."""
    if not values or any(v is None or not v > 0 for v in values):
        return math.nan
    return math.exp(sum(math.log(v) for v in values if v is not None) / len(values))
