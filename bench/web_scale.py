"""How the web app's latency grows with the corpus: every page and JSON twin at several corpus sizes.

Grows a corpus to each size (default 1k, 10k, 100k articles) by replicating real analysed rows of a
base corpus (the PolNeAR train+dev corpus: 923 articles, 7 outlets): each replica of an article gets a
fresh id, its dates shifted by a month per replica, the same outlet and the same child rows
(sources, mentions, statements, claims, full-text index). The copy is done in SQL (INSERT ... SELECT),
then the store's aggregates are rebuilt and the planner statistics refreshed (ANALYZE), as after a
long ingest. At each size it serves the app over HTTP (uvicorn on 127.0.0.1, one client, sequential
requests) and prints median and p95 per page, and the bytes stored per article.

    python bench/web_scale.py                                   # SQLite, sizes 1000,10000,100000
    python bench/web_scale.py --sizes 10000 --requests 20
    python bench/web_scale.py --backend postgres --pg-url postgresql://...   # or $ONRECORD_TEST_POSTGRES
    python bench/web_scale.py --base /tmp/onrecord-cache/polnear.db --work /tmp/onrecord-scale

Build the base corpus first: ``python bench/ingest_overhead.py --full`` (writes
/tmp/onrecord-cache/polnear.db) or ``onrecord ingest polnear.jsonl --db polnear.db`` with the JSONL of
``onrecord.store.polnear_jsonl.write_polnear_jsonl``. The bars (issue 10): every page and twin at
most 100 ms median at 100k articles, at most 30 KB stored per article.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from web_latency import start_server, timed_get

DEFAULT_BASE = Path("/tmp/onrecord-cache/polnear.db")
BAR_MS = 100.0
BAR_BYTES = 30 * 1024
SHIFT_DAYS = 31  # each replica's dates move a month later than the previous replica's
SEARCHES = [
    {"q": "said"},  # the commonest word
    {"q": "negotiations", "anonymity": "anonymous"},
    {"q": "Clinton", "anonymity": "named"},
    {"q": "campaign", "kind": "anonymous_group"},
    {"q": '"White House"', "affiliation": "white house"},
    {"q": "Trump", "from": "2016-10-01", "to": "2016-10-31"},
    {"anonymity": "anonymous", "role": "official"},  # filters only, no words
]


# ---------------------------------------------------------------- growing a SQLite corpus

_SQLITE_COPY = [
    # Articles of replica :k, the first :n of the base in rowid order; ids get a "-k" suffix.
    """INSERT INTO articles (id, title, author, url, outlet_id, published, origin, language, text, model,
                             analysis, n_words, ingested_at)
       SELECT id || '-' || :k, title, author, url, outlet_id,
              CASE WHEN published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                   THEN date(published, printf('+%d days', :k * :shift)) ELSE published END,
              origin || '#' || :k, language, text, model, analysis, n_words, ingested_at
       FROM base.articles WHERE rowid IN (SELECT rowid FROM base.articles ORDER BY rowid LIMIT :n)""",
    """INSERT INTO sources SELECT s.article_id || '-' || :k, s.id, s.name, s.kind, s.role, s.affiliation,
              s.country, s.seniority, s.status, s.count, s.anonymity_reason, s.canonical_actor
       FROM base.sources s WHERE s.article_id IN (SELECT id FROM base.articles ORDER BY rowid LIMIT :n)""",
    """INSERT INTO mentions (article_id, source_id, start, end, text)
       SELECT article_id || '-' || :k, source_id, start, end, text FROM base.mentions
       WHERE article_id IN (SELECT id FROM base.articles ORDER BY rowid LIMIT :n)""",
    """INSERT INTO attributions SELECT a.article_id || '-' || :k, a.id, a.kind, a.channel, a.source_id,
              a.relay_source_id, a.source_start, a.source_end, a.cue_start, a.cue_end,
              a.content_start, a.content_end, a.relay_start, a.relay_end, a.confidence
       FROM base.attributions a WHERE a.article_id IN (SELECT id FROM base.articles ORDER BY rowid LIMIT :n)""",
    """INSERT INTO claims SELECT c.article_id || '-' || :k, c.id, c.type, c.start, c.end, c.text, c.value,
              c.unit, c.qualifier, c.date, c.date_end, c.relative, c.attribution_id, c.source_id
       FROM base.claims c WHERE c.article_id IN (SELECT id FROM base.articles ORDER BY rowid LIMIT :n)""",
    # The full-text indexes keep no copy (migration 008): index the rows just added, from the rows.
    """INSERT INTO articles_fts (rowid, title, text)
       SELECT rowid, title, text FROM articles WHERE rowid > :articles_before""",
    """INSERT INTO statements_fts (rowid, content_text, source_name, cue_text)
       SELECT attribution_rowid, content_text, source_name, cue_text FROM statement_texts
       WHERE attribution_rowid > :attributions_before""",
]


def grow_sqlite(path: Path, base: Path, size: int) -> float:
    """Add replicas of the base's articles to ``path`` until it holds ``size`` articles; seconds taken."""
    from onrecord.store import Database

    started = time.perf_counter()
    with Database.open(path) as database:  # the store's own write connection (autocommit)
        database.execute_write_fn(lambda conn: _grow_sqlite(conn, base, size))
    return time.perf_counter() - started


def _grow_sqlite(conn: Any, base: Path, size: int) -> None:
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("ATTACH DATABASE ? AS base", (f"{base.resolve().as_uri()}?mode=ro",))
    base_n = conn.execute("SELECT count(*) FROM base.articles").fetchone()[0]
    copy = _SQLITE_COPY
    have = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    k = conn.execute("SELECT coalesce(max(CAST(substr(id, instr(id, '-') + 1) AS INTEGER)), 0) FROM articles"
                     " WHERE id LIKE '%-%'").fetchone()[0]  # fmt: skip
    while have < size:
        k += 1
        n = min(base_n, size - have)
        conn.execute("BEGIN")
        attributions_before = conn.execute("SELECT coalesce(max(rowid), 0) FROM attributions").fetchone()[0]
        articles_before = conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
        for sql in copy:
            params = {
                "k": k,
                "n": n,
                "shift": SHIFT_DAYS,
                "attributions_before": attributions_before,
                "articles_before": articles_before,
            }
            conn.execute(sql, {name: value for name, value in params.items() if f":{name}" in sql})
        conn.execute("COMMIT")
        have += n
    conn.execute("DETACH DATABASE base")


def finish_sqlite(path: Path) -> None:
    """Rebuild the store's aggregates from the rows (as the migration that added them does), ANALYZE, checkpoint."""
    from onrecord.store import Database

    with Database.open(path) as database:
        rebuild = getattr(database, "rebuild_aggregates", None)
        if rebuild is not None:
            rebuild()
        database.execute_write_fn(_analyze_and_checkpoint)


def _analyze_and_checkpoint(conn: Any) -> None:
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def sqlite_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


# ---------------------------------------------------------------- growing a PostgreSQL corpus


def pg_copy_statements(conn: Any) -> list[str]:
    """INSERT ... SELECT copies of replica %(k)s of the first %(n)s base articles, within the same database.

    The base articles are those whose id has no '-' (ids are hex content hashes)."""
    cols = {
        table: [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " AND is_generated = 'NEVER' AND identity_generation IS NULL ORDER BY ordinal_position",
                (table,),
            ).fetchall()
        ]
        for table in ("articles", "sources", "mentions", "attributions", "claims")
    }
    base = "SELECT id FROM articles WHERE strpos(id, '-') = 0 ORDER BY rowid LIMIT %(n)s"
    out = []
    for table, columns in cols.items():
        names = ", ".join(f'"{c}"' for c in columns)
        picked = []
        for c in columns:
            if c in ("id",) and table == "articles":
                picked.append("id || '-' || %(k)s")
            elif c == "article_id":
                picked.append("article_id || '-' || %(k)s")
            elif c == "published" and table == "articles":
                picked.append(
                    "CASE WHEN published ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN"
                    " to_char(published::date + %(k)s * %(shift)s, 'YYYY-MM-DD') ELSE published END"
                )
            elif c == "origin":
                picked.append("origin || '#' || %(k)s")
            else:
                picked.append(f'"{c}"')
        key = "id" if table == "articles" else "article_id"
        out.append(f"INSERT INTO {table} ({names}) SELECT {', '.join(picked)} FROM {table} WHERE {key} IN ({base})")
    return out


def grow_postgres(url: str, base: Path, size: int) -> float:
    """Load the base corpus into an empty database through the store (once), then replicate in SQL."""
    import psycopg

    from onrecord.model import ArticleAnalysis
    from onrecord.store import Database

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        present = conn.execute("SELECT to_regclass('articles') IS NOT NULL").fetchone()[0]
        have = conn.execute("SELECT count(*) FROM articles").fetchone()[0] if present else 0
    if have == 0:
        with Database.open(base, read_only=True, time_limit_s=None) as source, Database.open(url) as target:
            ids = list(source.stored_models())
            batch = []
            for article_id in ids:
                batch.append(ArticleAnalysis.from_dict(source.analysis_dict(article_id)))
                if len(batch) == 100:
                    target.write_batch(batch)
                    batch = []
            target.write_batch(batch)
    with psycopg.connect(url, autocommit=True) as conn:
        base_n = conn.execute("SELECT count(*) FROM articles WHERE strpos(id, '-') = 0").fetchone()[0]
        have = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        k = conn.execute(
            "SELECT coalesce(max(split_part(id, '-', 2)::int), 0) FROM articles WHERE strpos(id, '-') > 0"
        ).fetchone()[0]
        copy = pg_copy_statements(conn)
        while have < size:
            k += 1
            n = min(base_n, size - have)
            with conn.transaction():
                for sql in copy:
                    conn.execute(sql, {"k": k, "n": n, "shift": SHIFT_DAYS})
            have += n
    return time.perf_counter() - started


def finish_postgres(url: str) -> None:
    import psycopg

    from onrecord.store import Database

    with Database.open(url) as database:
        rebuild = getattr(database, "rebuild_aggregates", None)
        if rebuild is not None:
            rebuild()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def postgres_bytes(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


# ---------------------------------------------------------------- measuring


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def deep_paths(base: str, route: str, depth: int, size: int = 50) -> dict[str, str]:
    """The page ``depth`` rows in, reached by an old ``_offset`` link and, when the app gives cursors,
    by following ``next`` (in pages of 500) as a client would."""
    paths = {"offset": f"{route}?_offset={depth}&_size={size}"}
    first = get_json(f"{base}{route}.json?_size=500")
    if "next_after" not in first:
        return paths
    token, seen = first.get("next_after"), 500
    while token and seen < depth:
        page = get_json(f"{base}{route}.json?_size=500&after={urllib.parse.quote(token)}")
        token, seen = page.get("next_after"), seen + 500
    if token:
        paths["cursor"] = f"{route}?_size={size}&after={urllib.parse.quote(token)}"
    return paths


def page_runs(base: str, database: Any, requests: int) -> dict[str, list[str]]:
    import random

    rng = random.Random(1)
    total = database.counts()["articles"]
    ids = [r["id"] for r in database.list_articles(_filter(), limit=500).rows]
    sources = database.source_directory(_filter(), limit=200).rows
    top, middle = sources[0], sources[len(sources) // 2]
    depth = min(9000, max(0, total - 100))
    deep_articles = deep_paths(base, "/articles", depth)
    deep_sources = deep_paths(base, "/sources", min(2000, depth), size=100)
    print(f"  deep pages: articles {depth:,} rows in, sources {min(2000, depth):,} rows in", flush=True)
    runs: dict[str, list[str]] = {
        "overview": ["/"],
        "articles": ["/articles"],
        "articles q=election": ["/articles?q=election"],
        "articles deep (_offset)": [deep_articles["offset"]],
        "sources": ["/sources"],
        "sources q=trump": ["/sources?q=trump"],
        "sources deep (_offset)": [deep_sources["offset"]],
        # Filtered by one role, affiliation or outlet (migration 006's per-value counts; the busiest outlet).
        "sources role=spokes": ["/sources?role=spokes"],
        "sources affiliation=republican": ["/sources?affiliation=republican"],
        "sources outlet=busiest": ["/sources?" + urllib.parse.urlencode({"outlet": busiest_outlet(database)})],
        "source (most cited)": ["/source?" + urllib.parse.urlencode({"name": top["name"], "kind": top["kind"]})],
        "source (middling)": ["/source?" + urllib.parse.urlencode({"name": middle["name"], "kind": middle["kind"]})],
        "article": [f"/articles/{urllib.parse.quote(rng.choice(ids))}" for _ in range(requests)],
    }
    if "cursor" in deep_articles:
        runs["articles deep (after)"] = [deep_articles["cursor"]]
    if "cursor" in deep_sources:
        runs["sources deep (after)"] = [deep_sources["cursor"]]
    for query in SEARCHES:
        runs["search " + urllib.parse.urlencode(query)] = ["/search?" + urllib.parse.urlencode(query)]
    out = {}
    for name, paths in runs.items():
        paths = (paths * requests)[:requests]
        out[name] = paths
        out[name + " .json"] = [_twin(p) for p in paths]
    return out


def busiest_outlet(database: Any) -> str:
    by_outlet = [r for r in database.overview()["by_outlet"] if r["outlet"]]
    return max(by_outlet, key=lambda r: (r["articles"], r["outlet"]))["outlet"] if by_outlet else ""


def _filter() -> Any:
    from onrecord.store import StatementFilter

    return StatementFilter()


def _twin(path: str) -> str:
    route, _, query = path.partition("?")
    route = "/index.json" if route == "/" else route + ".json"
    return route + (f"?{query}" if query else "")


def report(db: str, results: dict[str, tuple[float, float]], stored: int | None) -> None:
    from onrecord.store import Database
    from onrecord.store.db import url_label

    with Database.open(db, read_only=True, time_limit_s=None) as database:
        counts = database.counts()
    size = f"; {stored / counts['articles'] / 1024:.1f} KB per article ({stored / 2**20:,.0f} MiB)" if stored else ""
    print(
        f"\n== {url_label(str(db))}: {counts['articles']:,} articles, {counts['attributions']:,} statements,"
        f" {counts['sources']:,} sources{size}",
        flush=True,
    )
    for name, (median, p95) in results.items():
        flag = "" if median <= BAR_MS else "  > bar"
        print(f"  {name:<70} median {median:8.1f} ms  p95 {p95:8.1f} ms{flag}", flush=True)


def measure(db: str, requests: int, only: str | None = None) -> dict[str, tuple[float, float]]:
    from onrecord.store import Database

    with Database.open(db, read_only=True, time_limit_s=None) as database:
        base, stop = start_server(db)  # type: ignore[arg-type]
        try:
            timed_get(base + "/")  # warm-up
            runs = page_runs(base, database, requests)
            if only:
                runs = {name: paths for name, paths in runs.items() if any(o in name for o in only.split(","))}
            results = {}
            for name, paths in runs.items():
                try:
                    timed_get(base + paths[0])  # warm this page's cache, as a served app is warm
                    samples = sorted(timed_get(base + p) for p in paths)
                except urllib.error.HTTPError as exc:  # a page past the time limit answers 503
                    print(f"  {name}: HTTP {exc.code}", flush=True)
                    results[name] = (float("inf"), float("inf"))
                    continue
                p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
                results[name] = (statistics.median(samples), p95)
        finally:
            stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE, help="an analysed corpus to replicate")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("ONRECORD_TEST_POSTGRES"), help="an empty database")
    parser.add_argument("--work", type=Path, default=Path("/tmp/onrecord-scale"))
    parser.add_argument("--requests", type=int, default=15, help="requests per page")
    parser.add_argument("--only", default=None, help="measure pages whose name contains this (comma-separated)")
    parser.add_argument(
        "--measure", default=None, metavar="DB", help="only measure this grown corpus (a path or URL), grow nothing"
    )
    opts = parser.parse_args()
    if opts.measure:
        report(opts.measure, measure(opts.measure, opts.requests, opts.only), None)
        return
    if not opts.base.is_file():
        sys.exit(f"{opts.base}: no base corpus; build it with bench/ingest_overhead.py --full (see --help)")
    sizes = sorted(int(s) for s in opts.sizes.split(","))
    opts.work.mkdir(parents=True, exist_ok=True)
    if opts.backend == "sqlite":
        db_path = opts.work / "scale.db"
        for stale in opts.work.glob("scale.db*"):
            stale.unlink()
        from onrecord.store import Database

        with Database.open(opts.base) as base:  # a compact copy of the base corpus
            base.execute_write_fn(lambda conn: conn.execute("VACUUM INTO ?", (str(db_path),)))
        Database.open(db_path).close()  # migrate the copy to this version's schema
        db: str = str(db_path)
    else:
        if not opts.pg_url:
            sys.exit("--backend postgres needs --pg-url (an empty database) or $ONRECORD_TEST_POSTGRES")
        db = opts.pg_url
    table: dict[int, dict[str, tuple[float, float]]] = {}
    for size in sizes:
        if opts.backend == "sqlite":
            seconds = grow_sqlite(Path(db), opts.base, size)
            finish_sqlite(Path(db))
            stored = sqlite_bytes(Path(db))
        else:
            seconds = grow_postgres(db, opts.base, size)
            finish_postgres(db)
            stored = postgres_bytes(db)
        from onrecord.store import Database

        with Database.open(db, read_only=True, time_limit_s=None) as database:
            counts = database.counts()
        print(
            f"\n== {opts.backend}: {counts['articles']:,} articles, {counts['attributions']:,} statements, "
            f"{counts['sources']:,} sources; grown in {seconds:.0f} s; {stored / counts['articles'] / 1024:.1f} KB"
            f" per article ({stored / 2**20:,.0f} MiB)",
            flush=True,
        )
        table[size] = measure(db, opts.requests)
        for name, (median, p95) in table[size].items():
            flag = "" if median <= BAR_MS else "  > bar"
            print(f"  {name:<70} median {median:8.1f} ms  p95 {p95:8.1f} ms{flag}", flush=True)
    print("\nmedian ms by size: " + ", ".join(f"{s:,}" for s in sizes))
    for name in table[sizes[-1]]:
        print(f"  {name:<70} " + "  ".join(f"{table[s].get(name, (float('nan'),))[0]:8.1f}" for s in sizes))


if __name__ == "__main__":
    main()
