"""store stage: the SQLite corpus database (schema migrations, idempotent writes, ingest, export)."""

from onrecord.store.corpus import Store, WriteOutcome
from onrecord.store.db import DEFAULT_DB, StoreError, db_path_from_url
from onrecord.store.ingest import IngestInterrupted, IngestReport, ingest_paths

__all__ = [
    "DEFAULT_DB",
    "IngestInterrupted",
    "IngestReport",
    "Store",
    "StoreError",
    "WriteOutcome",
    "db_path_from_url",
    "ingest_paths",
]
