"""Measuring helpers: peak RSS sampled by a background thread, latency summaries, sizes on disk.

Peak memory is what the process held at its highest point during a phase, as
seen from outside (RSS), not what Python allocated: the model's activations,
FAISS and tokenizer buffers all count. A thread samples RSS every few
milliseconds; the phase's figure is the maximum sample, reported absolute and
as the rise over the RSS just before the phase started. Before that baseline
is taken, garbage is collected and glibc is asked to hand freed heap back to
the system (``malloc_trim``), so a phase cannot quietly reuse memory an earlier
phase freed and look smaller than it would in a fresh process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import statistics
import threading
import time
from pathlib import Path

import psutil

MB = 1024 * 1024


def release_memory() -> None:
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def rss_bytes() -> int:
    return psutil.Process().memory_info().rss


class PeakRss:
    """``with PeakRss() as peak: work()`` then ``peak.figures()``: MB absolute and delta."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.before = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakRss:
        release_memory()
        self.before = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._sample, name="peak-rss", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, process.memory_info().rss)

    def figures(self) -> dict:
        return {
            "rss_before_mb": round(self.before / MB, 1),
            "peak_rss_mb": round(self.peak / MB, 1),
            "peak_rss_delta_mb": round((self.peak - self.before) / MB, 1),
        }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, the same definition as ``rag.eval.retrieval.percentile``."""
    from rag.eval.retrieval import percentile as rag_percentile

    return rag_percentile(values, q)


def latency_summary(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "mean_ms": None}
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def timed(fn, *args, **kwargs):
    """``(result, seconds)`` of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def median_seconds(fn, repeats: int = 3) -> float:
    """Median wall time of ``repeats`` calls (used for index loads: short, noisy)."""
    times = []
    for _ in range(repeats):
        _, seconds = timed(fn)
        times.append(seconds)
    return statistics.median(times)


def folder_bytes(folder: Path) -> int:
    """Bytes on disk: an index's live generation only, else every regular file under ``folder``."""
    from rag.stores.folder import generations

    if generations.current(Path(folder)) is not None:
        return generations.disk_bytes(Path(folder))
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())
