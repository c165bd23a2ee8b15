"""How the cost of linking one new article grows with the corpus (issue 9: <= 50 ms median at 100,000).

The corpus is grown synthetically from real analysed rows (a JSONL of ArticleAnalysis records, e.g. the
cache ``onrecord eval stories`` writes under $ONRECORD_CACHE/linking-eval/): each synthetic article takes a
real one, keeps a random three quarters of its sentences, renames its capitalised words and swaps 60% of
its longer lower-case words after a synthetic event (articles of one event share the names and words, so
stories and copies form; events drawn from one real article differ, so they do not all merge),
and gets a date spread over ``--days`` days. Attribution and source spans are re-found in the new text.

At each checkpoint size the next ``--sample`` additions are timed one by one (``Linker.add``: featurising,
MinHash, candidate search, scoring, statement and relay links); the median wall-clock and CPU time (the
CPU figure is what the work costs when other processes share the cores), the 95th percentile and the
candidates compared are printed as they come.

    .venv/bin/python bench/linking_scale.py ANALYSES.jsonl --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from onrecord.linking import Linker
from onrecord.linking.stories import StoryIndex
from onrecord.model import Article, ArticleAnalysis, Attribution, Source, Span

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{3,}\b")
_LONG_WORD = re.compile(r"\b[a-z]{5,}\b")
EVENT_WORD_SHARE = 0.6  # of an article's longer lower-case words, the share each event swaps for its own
_SYLLABLES = ["ka", "lo", "mi", "ren", "dus", "tor", "vel", "sha", "bri", "nok", "zan", "per", "qui", "mor"]


def synthetic_name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()


def _respan(span: Span | None, text: str, rename) -> Span | None:
    if span is None:
        return None
    wanted = rename(span.text)
    start = text.find(wanted)
    return None if start < 0 else Span(start, start + len(wanted), wanted)


def synthesise(base: ArticleAnalysis, number: int, event: int, day: str, rng: random.Random) -> ArticleAnalysis:
    names: dict[str, str] = {}

    def rename(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            word = match.group(0)
            if word not in names:
                names[word] = synthetic_name(random.Random(f"{event}/{word}"))
            return names[word]

        def swap(match: re.Match[str]) -> str:
            word = match.group(0)
            if word not in names:
                word_rng = random.Random(f"{event}/{word}")
                names[word] = synthetic_name(word_rng).lower() if word_rng.random() < EVENT_WORD_SHARE else word
            return names[word]

        return _LONG_WORD.sub(swap, _CAPITALISED.sub(one, text))

    sentences = _SENTENCE.split(base.article.text)
    kept = [s for s in sentences if rng.random() < 0.75] or sentences[:1]
    text = rename(" ".join(kept))
    sources = []
    for source in base.sources:
        mentions = [m for m in (_respan(m, text, rename) for m in source.mentions) if m is not None]
        sources.append(
            Source(source.id, rename(source.name), mentions, source.kind, canonical_actor=source.canonical_actor)
        )
    attributions = []
    for attribution in base.attributions:
        content = _respan(attribution.content, text, rename)
        if content is None:
            continue
        attributions.append(
            Attribution(
                attribution.id,
                attribution.kind,
                cue=None,
                content=content,
                source=_respan(attribution.source, text, rename),
                source_id=attribution.source_id,
                relay_source_id=attribution.relay_source_id,
            )
        )
    article = Article(
        id=f"syn{number:07d}",
        text=text,
        title=rename(base.article.title or ""),
        outlet=base.article.outlet,
        published=day,
    )
    return ArticleAnalysis(article, attributions, sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("analyses", type=Path, help="JSONL of ArticleAnalysis records to grow the corpus from")
    parser.add_argument("--sizes", default="1000,10000,100000", help="checkpoint corpus sizes")
    parser.add_argument("--sample", type=int, default=200, help="additions timed at each checkpoint")
    parser.add_argument("--days", type=int, default=365, help="days the synthetic dates spread over")
    parser.add_argument("--articles-per-event", type=int, default=4, help="mean articles per synthetic event")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--time-limit", type=float, default=0, help="stop growing after this many seconds (0: none)")
    args = parser.parse_args(argv)

    bases = [ArticleAnalysis.from_json(line) for line in args.analyses.read_text(encoding="utf-8").splitlines()]
    if not bases:
        print(f"{args.analyses}: no analyses", file=sys.stderr)
        return 2
    sizes = sorted(int(size) for size in args.sizes.split(","))
    rng = random.Random(args.seed)
    linker = Linker()
    compared: list[int] = []
    copy_candidates: list[int] = []
    original_candidates = StoryIndex.candidates

    def counting_candidates(self: StoryIndex, features):  # type: ignore[no-untyped-def]
        found = original_candidates(self, features)
        compared.append(len(found))
        return found

    StoryIndex.candidates = counting_candidates  # type: ignore[method-assign]
    started = time.perf_counter()
    events = max(1, sizes[-1] // args.articles_per_event)
    print(
        "corpus_size\tmedian_ms\tmedian_cpu_ms\tp95_ms\tmean_candidates\tmean_lsh_candidates\ttimed\telapsed_s\tmax_rss_mib",
        flush=True,
    )
    number = 0
    for checkpoint in sizes:
        while len(linker) < checkpoint:
            linker.add(make(bases, number, events, args.days, rng))
            number += 1
            if args.time_limit and time.perf_counter() - started > args.time_limit:
                print(f"# stopped growing at {len(linker)} articles after {args.time_limit:.0f} s", flush=True)
                return 0
        timings, cpu_timings = [], []
        compared.clear()
        copy_candidates.clear()
        for _ in range(args.sample):
            item = make(bases, number, events, args.days, rng)
            number += 1
            before, cpu_before = time.perf_counter(), time.process_time()
            linker.add(item)
            timings.append((time.perf_counter() - before) * 1000)
            cpu_timings.append((time.process_time() - cpu_before) * 1000)
            copy_candidates.append(linker.copies.last_candidates)
        timings.sort()
        print(
            f"{checkpoint}\t{statistics.median(timings):.2f}\t{statistics.median(cpu_timings):.2f}\t"
            f"{timings[int(len(timings) * 0.95) - 1]:.2f}\t"
            f"{statistics.mean(compared):.0f}\t{statistics.mean(copy_candidates):.0f}\t{len(timings)}\t"
            f"{time.perf_counter() - started:.0f}\t"
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}",
            flush=True,
        )
    return 0


def make(bases: list[ArticleAnalysis], number: int, events: int, days: int, rng: random.Random) -> ArticleAnalysis:
    event = rng.randrange(events)
    event_day = random.Random(f"day/{event}").randrange(days)  # an event's articles fall within days of each other
    day = event_day + rng.randrange(3)
    published = time.strftime("%Y-%m-%d", time.gmtime(1_704_067_200 + day * 86_400))
    base = bases[random.Random(f"base/{event}").randrange(len(bases))]
    return synthesise(base, number, event, published, rng)


if __name__ == "__main__":
    sys.exit(main())
