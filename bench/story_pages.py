"""Latency of the story layer's reads (store/story_reads.py) on a corpus grown to 100,000 articles.

Grows a SQLite corpus from an ingested one (``--base``, e.g. the PolNeAR corpus of bench/web_latency.py):
each synthetic article is a stored base article (its text, analysis, sources, statements and claims rows,
copied by SQL) under a fresh id, a synthetic outlet (200 of them) and a date in a synthetic event.
Events: 45% single articles, the rest 2-8 articles from distinct outlets within three days, over a year
(about 270 articles a day at 100,000). The story layer's materialised tables are then filled as the
refresh would for such events: stories (15% of later articles in a multi-article story are copies of its
first), story summaries, statement groups (1 to 2 x the story's size, each of 2 to all of its articles,
first appearance on the earliest day) and their summaries, corpus sources (a named source is one corpus
source per 1,000 consecutive articles, "Donald Trump #17", so the corpus has many sources of a few
hundred statements; the commonest name is left whole, one source across the corpus, as a worst case;
anonymous sources stay local to their article) and their summaries (store/corpus_source_reads.py's
corpus_source_summary_rows, as the refresh calls it; its time for the whole corpus is printed). Full-text
tables, mentions and the linker's own state are not copied: no story read touches them.

Then times, through ``Database.open(..., read_only=True)``, ``get_story`` (random multi-article
stories), ``get_corpus_source`` (random named sources, and the whole-corpus worst case),
``statement_links`` (random articles in a statement group), ``list_stories`` (first page and ten pages
deep) and ``list_corpus_sources``: median and p95 in ms. Bar (issue 9): story page and corpus-source page
at most 100 ms median at 100,000 articles.

    python bench/story_pages.py --base /tmp/onrecord-cache/polnear.db --db /tmp/story-pages.db \
        [--articles 100000] [--samples 200] [--rebuild] [--postgres postgresql://.../empty_db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from onrecord.store import Database

OUTLETS = 200
ARTICLES_PER_SOURCE_BUCKET = 1000
START = dt.date(2016, 1, 1)
NAMED_PREFIX = {"named_person": "person:", "named_organization": "org:", "outlet": "outlet:"}


def events(total: int, rng: random.Random) -> list[int]:
    """Event sizes adding up to ``total``: 45% single articles, else 2-8 (geometric-ish, mean about 3.5)."""
    sizes: list[int] = []
    left = total
    while left > 0:
        size = 1 if rng.random() < 0.45 else min(8, 2 + int(rng.expovariate(0.6)))
        size = min(size, left)
        sizes.append(size)
        left -= size
    return sizes


def build(base: Path, db: Path, total: int, rng: random.Random) -> None:
    with Database.open(db) as store:  # creates the schema (every migration); the store owns the connection
        store.execute_write_fn(lambda conn: _grow(conn, base, total, rng))


def _grow(conn: Any, base: Path, total: int, rng: random.Random) -> None:
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("ATTACH DATABASE ? AS base", (f"file:{base}?mode=ro",))
    bases = [r[0] for r in conn.execute("SELECT id FROM base.articles ORDER BY id")]
    attributions: dict[str, list[str]] = {}
    for article_id, attribution_id in conn.execute(
        "SELECT article_id, id FROM base.attributions WHERE content_start IS NOT NULL ORDER BY article_id, id"
    ):
        attributions.setdefault(article_id, []).append(attribution_id)
    commonest = conn.execute(
        "SELECT lower(name) FROM base.sources WHERE kind = 'named_person' GROUP BY lower(name) ORDER BY count(*) DESC"
    ).fetchone()[0]
    print(f"base: {len(bases)} articles; commonest named person {commonest!r} kept whole", file=sys.stderr)

    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO outlets (id, name) VALUES (?, ?)", [(k + 1, f"Outlet {k:03d}") for k in range(OUTLETS)]
    )
    sizes = events(total, rng)
    days = 365
    replica: list[tuple[Any, ...]] = []
    story_rows: list[tuple[Any, ...]] = []
    summaries: list[tuple[Any, ...]] = []
    group_rows: list[tuple[Any, ...]] = []
    group_summaries: list[tuple[Any, ...]] = []
    n = 0
    for event, size in enumerate(sizes):
        day = int(event * days / len(sizes))
        outlets = rng.sample(range(1, OUTLETS + 1), size)
        members = []
        for position in range(size):
            base_id = bases[n % len(bases)] if position == 0 else rng.choice(bases)
            new_id = f"{base_id[:12]}-{n:06d}"
            published = (START + dt.timedelta(days=day + (0 if position == 0 else rng.randint(0, 2)))).isoformat()
            replica.append((new_id, base_id, outlets[position], published, n // ARTICLES_PER_SOURCE_BUCKET))
            members.append((published, new_id, base_id, outlets[position]))
            n += 1
        members.sort()
        story_id = f"story:{members[0][1]}"
        for index, (_, article_id, _, _) in enumerate(members):
            copy_of = members[0][1] if index and rng.random() < 0.15 else None
            story_rows.append((article_id, story_id, copy_of))
        groups = 0
        if size > 1:
            used: set[tuple[str, str]] = set()
            for _ in range(min(10, rng.randint(1, 2 * size))):
                chosen = sorted(rng.sample(members, rng.randint(2, size)))
                picked = []
                for published, article_id, base_id, outlet in chosen:
                    free = [a for a in attributions.get(base_id, []) if (article_id, a) not in used]
                    if free:
                        attribution_id = rng.choice(free)
                        used.add((article_id, attribution_id))
                        picked.append((published, article_id, attribution_id, outlet))
                if len(picked) < 2:
                    continue
                groups += 1
                first_day = picked[0][0]
                group_id = f"statement:{picked[0][1]}/{picked[0][2]}"
                tie = sum(1 for p in picked if p[0] == first_day) > 1
                for published, article_id, attribution_id, _ in picked:
                    group_rows.append((article_id, attribution_id, group_id, int(published == first_day), None))
                carried = sorted({f"Outlet {p[3] - 1:03d}" for p in picked})
                reports = max(1, len(picked) - (1 if len(picked) > 2 else 0))
                group_summaries.append(
                    (
                        group_id,
                        story_id,
                        "tie" if tie else "",
                        json.dumps(carried),
                        len(picked),
                        reports,
                        reports,
                        1,
                        len(picked) - reports,
                    )
                )
        summaries.append((story_id, None, members[0][0], members[-1][0], size, size, groups, members[0][1]))

    conn.execute(
        "CREATE TEMP TABLE replica"
        " (id TEXT PRIMARY KEY, base_id TEXT, outlet_id INTEGER, published TEXT, bucket INTEGER)"
    )
    conn.executemany("INSERT INTO replica VALUES (?, ?, ?, ?, ?)", replica)
    started = time.perf_counter()
    conn.execute(
        """INSERT INTO articles (id, title, author, url, outlet_id, published, origin, language, text, model,
                                 analysis, n_words)
           SELECT r.id, a.title, a.author, a.url, r.outlet_id, r.published, 'synthetic:' || r.id, a.language,
                  a.text, a.model, a.analysis, a.n_words
           FROM replica r JOIN base.articles a ON a.id = r.base_id ORDER BY r.id"""
    )
    for table, columns in (
        (
            "sources",
            "id, name, kind, role, affiliation, country, seniority, status, count, anonymity_reason, canonical_actor",
        ),
        (
            "attributions",
            "id, kind, channel, source_id, relay_source_id, source_start, source_end, cue_start, cue_end,"
            " content_start, content_end, relay_start, relay_end, confidence",
        ),
        (
            "claims",
            'id, type, start, "end", text, value, unit, qualifier, date, date_end, relative, attribution_id, source_id',
        ),
    ):
        selected = ", ".join("x." + column for column in columns.split(", "))
        conn.execute(
            f"INSERT INTO {table} (article_id, {columns}) SELECT r.id, {selected}"
            f" FROM replica r JOIN base.{table} x ON x.article_id = r.base_id ORDER BY r.id"
        )
    conn.executemany("INSERT INTO stories VALUES (?, ?, ?)", story_rows)
    conn.executemany(
        """INSERT INTO story_summaries (story_id, title, first_published, last_published, article_count,
                                        outlet_count, group_count)
           SELECT ?, (SELECT title FROM articles WHERE id = ?), ?, ?, ?, ?, ?""",
        [(s[0], s[7], s[2], s[3], s[4], s[5], s[6]) for s in summaries],
    )
    conn.executemany("INSERT INTO statement_groups VALUES (?, ?, ?, ?, ?)", group_rows)
    conn.executemany("INSERT INTO statement_group_summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", group_summaries)
    case = " ".join(f"WHEN '{kind}' THEN '{prefix}'" for kind, prefix in NAMED_PREFIX.items())
    conn.execute(
        f"""INSERT INTO corpus_sources (article_id, source_id, corpus_source_id)
            SELECT s.article_id, s.id,
                   CASE WHEN s.kind NOT IN ({", ".join(f"'{k}'" for k in NAMED_PREFIX)})
                        THEN 'local:' || s.article_id || ':' || s.id
                        WHEN lower(s.name) = ? THEN 'person:' || lower(s.name)
                        ELSE (CASE s.kind {case} END) || lower(s.name) || ' #' || r.bucket END
            FROM sources s JOIN replica r ON r.id = s.article_id""",
        (commonest,),
    )
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE base")
    print(f"grew {n:,} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)


# Columns copied to PostgreSQL (its rowid and tsvector columns are generated there). The analysis is left
# empty (the story reads never open it); the text is copied, as the statements' texts are cut from it.
PG_COLUMNS = {
    "outlets": "id, name",
    "articles": "id, title, author, url, outlet_id, published, origin, language, text, model, X'' AS analysis, n_words",
    "sources": "article_id, id, name, kind, role, affiliation, country, seniority, status, count,"
    " anonymity_reason, canonical_actor",
    "attributions": "article_id, id, kind, channel, source_id, relay_source_id, source_start, source_end,"
    " cue_start, cue_end, content_start, content_end, relay_start, relay_end, confidence",
    "claims": 'article_id, id, type, start, "end", text, value, unit, qualifier, date, date_end, relative,'
    " attribution_id, source_id",
    "stories": "article_id, story_id, copy_of",
    "story_summaries": "story_id, title, first_published, last_published, article_count, outlet_count, group_count",
    "statement_groups": "article_id, attribution_id, group_id, is_first, relays_article_id",
    "statement_group_summaries": "group_id, story_id, first_note, outlets, member_count, independent_reports,"
    " independent_outlets, independent_sources, echoes",
    "corpus_sources": "article_id, source_id, corpus_source_id",
    "corpus_source_summaries": "corpus_source_id, name, kind, statement_count, article_count, outlet_count,"
    " outlets, by_month",
}


def copy_to_postgres(db_path: Path, url: str) -> None:
    """The grown SQLite corpus into an empty PostgreSQL database (migrated by Database.open), by COPY."""

    with Database.open(url):
        pass
    with Database.open(db_path) as store:
        store.execute_write_fn(lambda source: _copy_rows(source, url))


def _copy_rows(source: Any, url: str) -> None:
    import psycopg

    started = time.perf_counter()
    present = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    with psycopg.connect(url) as conn:
        if "corpus_source_summaries" in present:
            for statement in SUMMARIES_DDL:
                conn.execute(statement.replace("REAL", "DOUBLE PRECISION"))
        for table, columns in PG_COLUMNS.items():
            if table not in present:
                continue
            names = ", ".join(part.split(" AS ")[-1].strip() for part in columns.split(", "))
            with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {columns} FROM {table}"):
                    copy.write_row(row)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"copied to PostgreSQL in {time.perf_counter() - started:.0f} s", file=sys.stderr)


SUMMARIES_DDL = (
    """CREATE TABLE IF NOT EXISTS corpus_source_summaries (
        corpus_source_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
        statement_count INTEGER NOT NULL, article_count INTEGER NOT NULL, outlet_count INTEGER NOT NULL,
        outlets TEXT NOT NULL, by_month TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS corpus_source_summaries_rank"
    " ON corpus_source_summaries(statement_count DESC, corpus_source_id)",
    "CREATE INDEX IF NOT EXISTS corpus_source_summaries_kind"
    " ON corpus_source_summaries(kind, statement_count DESC, corpus_source_id)",
)


def add_summaries(db_path: Path) -> None:
    """corpus_source_summaries as the refresh keeps them, every named corpus source summarised (what
    `onrecord link --rebuild` pays); the table is created when a corpus's schema predates it."""

    with Database.open(db_path) as store:
        store.execute_write_fn(_summarise)


def _summarise(conn: Any) -> None:
    from onrecord.store.corpus_source_reads import corpus_source_summary_rows

    conn.execute("BEGIN")
    for statement in SUMMARIES_DDL:
        conn.execute(statement)
    conn.execute("DELETE FROM corpus_source_summaries")
    started = time.perf_counter()
    named = [r[0] for r in conn.execute("SELECT DISTINCT corpus_source_id FROM corpus_sources")]
    rows = corpus_source_summary_rows(lambda sql, args: conn.execute(sql, args).fetchall(), named)
    conn.executemany(f"INSERT INTO corpus_source_summaries VALUES ({', '.join('?' * 8)})", rows)
    conn.execute("COMMIT")
    print(f"summarised {len(rows):,} corpus sources in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def timed(call: Callable[[], Any], samples: list[float]) -> Any:
    started = time.perf_counter()
    result = call()
    samples.append((time.perf_counter() - started) * 1000)
    return result


def report(name: str, samples: list[float], note: str = "") -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | {p95:.1f} | {note} |")


def _samples(raw: Any, samples: int) -> tuple[dict[str, int], list[str], list[str], list[Any], list[str]]:
    """Ids to time, drawn from the SQLite corpus: stories, grouped articles, named sources."""
    counts = {
        t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "attributions", "stories")
    }
    stories = [r[0] for r in raw.execute("SELECT story_id FROM story_summaries WHERE article_count >= 2")]
    grouped = [r[0] for r in raw.execute("SELECT DISTINCT article_id FROM statement_groups")]
    sources = raw.execute(
        "SELECT corpus_source_id, count(*) FROM corpus_sources WHERE substr(corpus_source_id, 1, 6) <> 'local:'"
        " GROUP BY corpus_source_id"
    ).fetchall()
    statement_weighted = [
        r[0]
        for r in raw.execute(
            """SELECT cs.corpus_source_id FROM attributions at
               JOIN corpus_sources cs ON cs.article_id = at.article_id AND cs.source_id = at.source_id
               WHERE substr(cs.corpus_source_id, 1, 6) <> 'local:' ORDER BY random() LIMIT ?""",
            (samples,),
        )
    ]
    return counts, stories, grouped, sources, statement_weighted


def measure(db_path: Path, samples: int, rng: random.Random, url: str | Path | None = None) -> None:
    """Sample ids from the SQLite corpus; time the reads on it, or on ``url`` (the same corpus elsewhere)."""
    with Database.open(db_path) as store:
        counts, stories, grouped, sources, statement_weighted = store.execute_write_fn(
            lambda raw: _samples(raw, samples)
        )
    largest = max(sources, key=lambda s: s[1])
    print(
        f"corpus: {counts['articles']:,} articles, {counts['attributions']:,} statements, {len(stories):,} stories"
        f" of 2+ articles, {len(sources):,} named corpus sources (largest {largest[0]!r}: {largest[1]:,} articles)"
    )
    print("| read | calls | median ms | p95 ms | note |\n|---|---|---|---|---|")
    with Database.open(url or db_path, read_only=True) as db:
        for story_id in stories[:5]:  # warm the connection and the statement cache
            db.get_story(story_id)
        times: list[float] = []
        sizes = []
        for story_id in rng.sample(stories, min(samples, len(stories))):
            story = timed(lambda story_id=story_id: db.get_story(story_id), times)
            sizes.append(sum(len(g["members"]) for g in story["statement_groups"]))
        report("get_story", times, f"median {statistics.median(sizes):.0f} group members shown")
        times = []
        named = [s[0] for s in sources]
        for corpus_source_id in rng.sample(named, min(samples, len(named))):
            timed(lambda c=corpus_source_id: db.get_corpus_source(c), times)
        report("get_corpus_source", times, "random named corpus sources")
        times = []
        for corpus_source_id in statement_weighted:
            timed(lambda c=corpus_source_id: db.get_corpus_source(c), times)
        report("get_corpus_source", times, "the source of a random statement (big sources weigh more)")
        times = []
        for _ in range(5):
            timed(lambda: db.get_corpus_source(largest[0]), times)
        report("get_corpus_source", times, f"the largest: {largest[0]!r}, {largest[1]:,} articles")
        times = []
        for article_id in rng.sample(grouped, min(samples, len(grouped))):
            timed(lambda a=article_id: db.statement_links(a), times)
        report("statement_links", times, "articles with a statement in a group")
        times = []
        for article_id in rng.sample(grouped, min(samples, len(grouped))):
            timed(lambda a=article_id: db.story_of_article(a), times)
        report("story_of_article", times, "")
        first, deep = [], []
        for _ in range(20):
            page = timed(lambda: db.list_stories(limit=50), first)
            for _ in range(9):
                page = db.list_stories(limit=50, after=page.extra["next_after"])
            timed(lambda after=page.extra["next_after"]: db.list_stories(limit=50, after=after), deep)
        report("list_stories", first, "first page of 50")
        report("list_stories", deep, "page 11 (keyset)")
        times = []
        for _ in range(3):
            timed(lambda: db.list_corpus_sources(limit=50), times)
        report("list_corpus_sources", times, "top 50 of the whole corpus")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="an ingested corpus to replicate")
    parser.add_argument("--db", type=Path, default=Path("/tmp/story-pages.db"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="grow the corpus again even if --db exists")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--postgres", help="also copy the corpus to this empty PostgreSQL database and time it there")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    if args.rebuild or not args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        build(args.base, args.db, args.articles, rng)
        add_summaries(args.db)
    print(f"## SQLite ({args.db})")
    measure(args.db, args.samples, random.Random(args.seed))
    if args.postgres:
        copy_to_postgres(args.db, args.postgres)
        print("## PostgreSQL")
        measure(args.db, args.samples, random.Random(args.seed), args.postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
