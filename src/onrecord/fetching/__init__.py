"""Fetching stage: URLs, RSS/Atom feeds, sitemaps and web archives into :class:`Article` records.

See docs/fetching.md. The ingest reader hands URL and WARC inputs here; ``onrecord watch`` polls.
Names are imported on first use, so the ``ingest`` and ``analyze`` commands, which import this
package's CLI options, do not load the HTTP client until a URL is given.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Crawl": "onrecord.fetching.collect",
    "FetchStats": "onrecord.fetching.collect",
    "fetch_inputs": "onrecord.fetching.collect",
    "FetchOptions": "onrecord.fetching.options",
    "FetchSession": "onrecord.fetching.options",
    "fetch_session": "onrecord.fetching.options",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'onrecord.fetching' has no attribute {name!r}")
