"""Connecting to Ray: an existing cluster (``--ray-address`` / ``RAY_ADDRESS``) or a local one started on the fly.

A local Ray is kept small: the dashboard is off, usage statistics are never sent, and its object
store is bounded (it spills to disk beyond that). Ray's own servers listen on every interface and
Ray 2.60 has no setting to bind them to the loopback; Ray's token authentication (on by default)
refuses clients without this cluster's token. docs/scale.md says what that means on a shared network.
A Ray already initialised in this process (a test session's, or a caller's) is used as it is and
left running.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

RAY_EXTRA = "onrecord[ray]"
INSTALL_HINT = f"install the optional extra: pip install '{RAY_EXTRA}' (scripts/setup.sh --test installs it)"
# The object store holds the inputs read and the analyses on their way to the writer; Ray spills
# to disk past this, so it bounds memory, not corpus size.
DEFAULT_OBJECT_STORE_BYTES = 512 * 1024**2


class EngineError(RuntimeError):
    """The Ray engine cannot run (Ray missing, a cluster that cannot be reached); the message says what to do."""


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or :class:`EngineError` naming the extra that provides it."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise EngineError(f"--engine ray needs Ray, which is not installed ({exc}): {INSTALL_HINT}") from exc
    return ray


@dataclass(frozen=True, slots=True)
class RaySession:
    """Where the ingest runs: the cluster's address, its CPUs, and how long connecting or starting took."""

    address: str
    cpus: int
    started_here: bool  # a local Ray this process started (and stops at the end)
    startup_seconds: float


def cluster_address(address: str | None) -> str | None:
    """The cluster to join: ``address``, else ``$RAY_ADDRESS``, else None (start a local Ray)."""
    chosen = address or os.environ.get("RAY_ADDRESS") or None
    return None if chosen in (None, "local") else chosen


@contextmanager
def ray_session(
    address: str | None = None,
    num_cpus: int | None = None,
    object_store_bytes: int = DEFAULT_OBJECT_STORE_BYTES,
) -> Iterator[RaySession]:
    """Ray for the duration of the block: joined at ``address`` (or ``$RAY_ADDRESS``), or started locally
    with ``num_cpus`` CPUs (default: all of this machine's). Disconnects (and stops a local Ray) at the end."""
    ray = import_ray()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # never phone home
    started = time.perf_counter()
    if ray.is_initialized():
        yield RaySession(_current_address(ray), _cluster_cpus(ray), False, 0.0)
        return
    target = cluster_address(address)
    options: dict[str, Any] = {
        "logging_level": logging.WARNING,
        "log_to_driver": True,  # worker tracebacks reach the user
        "include_dashboard": False,
    }
    try:
        if target is None:
            ray.init(
                address="local",
                num_cpus=num_cpus or os.cpu_count() or 1,
                object_store_memory=object_store_bytes,
                **options,
            )
        else:
            options.pop("include_dashboard")  # a setting of the cluster, not of a driver joining it
            ray.init(address=target, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {target!r}" if target else "a local Ray"
        raise EngineError(f"cannot start or reach {where}: {type(exc).__name__}: {exc}") from exc
    try:
        yield RaySession(_current_address(ray), _cluster_cpus(ray), target is None, time.perf_counter() - started)
    finally:
        ray.shutdown()


def _current_address(ray: Any) -> str:
    try:
        return str(ray.get_runtime_context().gcs_address)
    except Exception:  # older or client-mode runtimes do not say: the address is only shown to the user
        return "?"


def _cluster_cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
