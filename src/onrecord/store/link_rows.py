"""The story layer's rows: a :class:`~onrecord.linking.Linker`'s state as ``link_documents`` and ``links`` rows
and back, and the materialised tables (``stories``, ``story_summaries``, ``statement_groups``,
``statement_group_summaries``, ``corpus_sources``) read off a linker. Pure functions; the SQL is in
:mod:`onrecord.store.linking`. Tables and columns: migration 004 and docs/schema.md.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from onrecord.store.packing import unpack_state
from onrecord.store.rows import clean_outlet

if TYPE_CHECKING:
    from onrecord.linking import Linker

# (kind, article_a, attribution_a, article_b, attribution_b, score): a row of ``links``.
LinkRow = tuple[str, str, str, str, str, float | None]
LINK_COLUMNS = "kind, article_a, attribution_a, article_b, attribution_b, score"

# The materialised tables and their columns. The first column keys the rows a refresh compares and
# rewrites together (an article's rows, a story's summary, a group's summary).
MATERIALISED: dict[str, tuple[str, ...]] = {
    "stories": ("article_id", "story_id", "copy_of"),
    "story_summaries": (
        "story_id",
        "title",
        "first_published",
        "last_published",
        "article_count",
        "outlet_count",
        "group_count",
    ),
    "statement_groups": ("article_id", "attribution_id", "group_id", "is_first", "relays_article_id"),
    "statement_group_summaries": (
        "group_id",
        "story_id",
        "first_note",
        "outlets",
        "member_count",
        "independent_reports",
        "independent_outlets",
        "independent_sources",
        "echoes",
    ),
    "corpus_sources": ("article_id", "source_id", "corpus_source_id"),
}


def link_rows(linker: Linker, touching: set[str]) -> list[LinkRow]:
    """The linker's links that touch any article of ``touching``, as ``links`` rows."""
    out: list[LinkRow] = []
    for kind, links in (("copy", linker.copy_links), ("story", linker.story_links)):
        for (one, other), score in links.items():
            if one in touching or other in touching:
                out.append((kind, one, "", other, "", score))
    for ((one, one_attribution), (other, other_attribution)), score in linker.statement_links.items():
        if one in touching or other in touching:
            out.append(("statement", one, one_attribution, other, other_attribution, score))
    for relaying, attribution_id, relayed in linker.relay_links:
        if relaying in touching or relayed in touching:
            out.append(("relay", relaying, attribution_id, relayed, "", None))
    return out


# The SELECT of each kind of link, in the shape ``Linker.as_dict()`` gives it (the first two columns are
# always the two articles, for filtering).
LINK_SELECTS = {
    "copy_links": "SELECT article_a, article_b, score FROM links WHERE kind = 'copy'",
    "story_links": "SELECT article_a, article_b, score FROM links WHERE kind = 'story'",
    "statement_links": "SELECT article_a, article_b, attribution_a, attribution_b, score FROM links"
    " WHERE kind = 'statement'",
    "relay_links": "SELECT article_a, article_b, attribution_a FROM links WHERE kind = 'relay'",
}


def linker_state(documents: Iterable[bytes], links: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    """The ``Linker.as_dict()`` shape from stored document states (packed, ``store/packing.py``) and the rows of
    :data:`LINK_SELECTS`."""
    from onrecord.linking.linker import STATE_VERSION

    return {
        "version": STATE_VERSION,
        "documents": [unpack_state(packed) for packed in documents],
        "copy_links": links["copy_links"],
        "story_links": links["story_links"],
        "statement_links": [(a, s, b, t, score) for a, b, s, t, score in links["statement_links"]],
        "relay_links": [(a, s, b) for a, b, s in links["relay_links"]],
    }


def materialise(linker: Linker) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of every materialised table for the linker's corpus."""
    records = linker.records
    story_of = linker.stories_by_article()
    original_of = linker.copy_groups()
    groups = linker.statement_groups()

    stories = [
        (article_id, story_of[article_id], original if original != article_id else None)
        for article_id, original in original_of.items()
    ]
    member_rows: list[tuple[Any, ...]] = []
    group_rows: list[tuple[Any, ...]] = []
    groups_in_story: Counter[str] = Counter()
    for group in groups:
        first = set(group.first_appearance)
        articles = {article_id for article_id, _ in group.members}
        relayed: dict[tuple[str, str], str] = {}
        for relaying, attribution_id, relayed_article in group.relays:
            # Only a relay of another member's article says where this member's report came from.
            if relayed_article in articles and relayed_article != relaying:
                relayed.setdefault((relaying, attribution_id), relayed_article)
        for member in group.members:
            member_rows.append((*member, group.group_id, int(member in first), relayed.get(member)))
        groups_in_story.update({story_of[article_id] for article_id in articles})
        group_rows.append(
            (
                group.group_id,
                story_of[group.members[0][0]],
                "" if group.first_appearance_note == "earliest" else group.first_appearance_note,
                json.dumps(group.outlets, ensure_ascii=False),
                len(group.members),
                group.independent_reports,
                group.independent_outlets,
                group.independent_sources,
                group.echoes,
            )
        )

    members_of: dict[str, list[str]] = defaultdict(list)
    for article_id, story_id in story_of.items():
        members_of[story_id].append(article_id)
    summaries = []
    for story_id, members in members_of.items():
        earliest = min(members, key=lambda article_id: records[article_id].sort_key)
        dates = sorted(records[a].published for a in members if records[a].published)
        outlets = {clean_outlet(records[a].outlet) for a in members} - {None}
        summaries.append(
            (
                story_id,
                records[earliest].title,
                dates[0] if dates else None,
                dates[-1] if dates else None,
                len(members),
                len(outlets),
                groups_in_story[story_id],
            )
        )

    corpus_sources = [
        (article_id, source_id, linker.corpus_source_id(article_id, source_id))
        for article_id, record in records.items()
        for source_id in record.source_keys
    ]
    return {
        "stories": stories,
        "story_summaries": summaries,
        "statement_groups": member_rows,
        "statement_group_summaries": group_rows,
        "corpus_sources": corpus_sources,
    }
