"""Write PolNeAR train+dev (or chosen splits) as onrecord JSONL with outlet, date, title and author.

python scripts/polnear_to_jsonl.py --output /tmp/onrecord-cache/polnear.jsonl
onrecord ingest /tmp/onrecord-cache/polnear.jsonl --db /tmp/onrecord-cache/polnear.db
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=None, help=f"PolNeAR folder (default: {default_polnear_dir()})")
    parser.add_argument("--splits", default="train,dev", help="comma-separated splits, in output order")
    parser.add_argument("--limit", type=int, default=None, help="at most this many articles")
    parser.add_argument("--output", "-o", type=Path, required=True, help="JSONL file to write")
    args = parser.parse_args(argv)
    splits = [s.strip() for s in args.splits.split(",") if s.strip()]
    try:
        count = write_polnear_jsonl(args.output, args.polnear, splits, args.limit)
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        print(f"polnear_to_jsonl: {exc}", file=sys.stderr)
        return 1
    print(f"{args.output}: {count} articles ({', '.join(splits)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
