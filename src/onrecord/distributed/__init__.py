"""Scale-out: ``onrecord ingest --engine ray`` reads and analyses on a Ray cluster (docs/scale.md).

Ray is an optional extra (``pip install 'onrecord[ray]'``); importing this package does not need it,
and every entry point raises :class:`EngineError` naming the extra when it is missing.
"""

from onrecord.distributed.cluster import RAY_EXTRA, EngineError, import_ray, ray_session
from onrecord.distributed.ingest import RayIngestReport, ingest_on_ray

__all__ = ["RAY_EXTRA", "EngineError", "RayIngestReport", "import_ray", "ingest_on_ray", "ray_session"]
