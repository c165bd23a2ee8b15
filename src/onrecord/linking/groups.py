"""Statement groups read off the linker's statement links: first appearance, carriers, corroboration.

First appearance: the member(s) of the earliest publication date; when several share that date they are all
given and the note says "tie" (dates are days: the order within a day is unknown); undated members are
never first while any member has a date; when none has one the note says "undated" and all are listed.
Corroboration: members of one copy group (near-duplicates) count as one report, and a member whose article
relays another member's article ("NBC reports, citing officials" with NBC's own article present) joins that
report. Independent reports are what remains; independent outlets are their distinct outlets; independent
sources are the distinct named corpus sources among them, plus one per report resting on an anonymous source
(two outlets' unnamed officials are two sources unless one relays the other). Echoes: articles carrying the
statement minus independent reports (an article repeating a statement twice is one article, not an echo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onrecord.linking.statements import StatementGroup, UnionFind
from onrecord.linking.stories import UNDATED

if TYPE_CHECKING:
    from onrecord.linking.linker import Linker

Member = tuple[str, str]


def build_groups(linker: Linker) -> list[StatementGroup]:
    union = UnionFind()
    for one, other in linker.statement_links:
        union.union(one, other)
    originals = linker.copy_groups()
    relayed_by: dict[Member, set[str]] = {}
    for relaying, attribution_id, relayed in linker.relay_links:
        relayed_by.setdefault((relaying, attribution_id), set()).add(relayed)
    groups = [_group(linker, members, originals, relayed_by) for members in union.groups().values()]
    groups.sort(key=lambda g: (linker.records[g.members[0][0]].sort_key, g.group_id))
    return groups


def _group(
    linker: Linker, members: list[Member], originals: dict[str, str], relayed_by: dict[Member, set[str]]
) -> StatementGroup:
    records = linker.records
    members = sorted(members, key=lambda m: (records[m[0]].sort_key, m[1]))
    dated = [m for m in members if records[m[0]].story.day != UNDATED]
    if dated:
        first_day = records[dated[0][0]].story.day
        first = [m for m in dated if records[m[0]].story.day == first_day]
        note = "tie" if len({m[0] for m in first}) > 1 else "earliest"
    else:
        first, note = list(members), "undated"

    reports = UnionFind()
    articles_in_group = {m[0] for m in members}
    by_original: dict[str, Member] = {}
    relays = []
    for member in members:
        reports.find(member)
        original = originals[member[0]]
        if original in by_original:
            reports.union(by_original[original], member)
        else:
            by_original[original] = member
    for member in members:
        for relayed in sorted(relayed_by.get(member, ())):
            relays.append((member[0], member[1], relayed))
            if relayed in articles_in_group:
                reports.union(member, next(m for m in members if m[0] == relayed))
    roots = reports.groups()
    outlets = sorted({records[m[0]].outlet or "" for m in members} - {""})
    independent_outlets = {
        records[min(group, key=lambda m: records[m[0]].sort_key)[0]].outlet_key for group in roots.values()
    } - {None}
    named: set[str] = set()
    anonymous_reports = 0
    corpus_sources: set[str] = set()
    for group in roots.values():
        keys = {_source_key(linker, m) for m in group}
        named_keys = {k for k in keys if k and not k.startswith("local:")}
        corpus_sources.update(k for k in keys if k)
        if named_keys:
            named.update(named_keys)
        else:
            anonymous_reports += 1
    return StatementGroup(
        group_id=f"statement:{members[0][0]}/{members[0][1]}",
        members=members,
        first_appearance=first,
        first_appearance_note=note,
        outlets=outlets,
        corpus_sources=sorted(corpus_sources),
        relays=relays,
        independent_reports=len(roots),
        independent_outlets=len(independent_outlets),
        independent_sources=len(named) + anonymous_reports,
        echoes=len(articles_in_group) - len(roots),
        report_of={f"{m[0]}/{m[1]}": f"{root[0]}/{root[1]}" for root, group in roots.items() for m in group},
    )


def _source_key(linker: Linker, member: Member) -> str | None:
    record = linker.records[member[0]]
    for statement in record.statements:
        if statement.attribution_id == member[1]:
            return linker.corpus_sources.resolve(statement.corpus_key) if statement.corpus_key else None
    return None
