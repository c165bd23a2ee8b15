"""Turn the store's story-layer reads into what the story, corpus-source and article pages show.

Pure functions over the plain dicts of ``Database.get_story``, ``get_corpus_source`` and
``statement_links`` (docs/linking.md, store/story_reads.py): the wording of first appearance and
corroboration, the outlet timeline and the day-by-day sourcing chart. No SQL and no HTML here: the
templates escape every value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import quote

from onrecord.display import claim_reading, source_kind_label

# The by_day series, in the order the stacked columns draw them (bottom up), with their legend words.
DAY_PARTS = (("named", "On record"), ("anonymous", "Anonymous"), ("unattributed", "No source"))

FIRST_NOTES = {
    "tie": "Several articles published it on the same first day; dates are days, so which came first that day "
    "is unknown and all of them are listed.",
    "undated": "No article carrying it has a publication date, so no first reporter can be named; all are listed.",
}

ECHO_EXPLAINED = (
    "An independent report is one article's own reporting: copies of one article (near-duplicates, wire "
    "republications) count once, and an article relaying another member's article (\u201cX reports, citing "
    "...\u201d) joins that article's report. Echoes are the articles carrying the statement beyond the "
    "independent reports."
)

# Corpus source ids are "person:...", "org:...", "outlet:..."; "local:..." ones name one article's source.
CORPUS_KIND_LABELS = {"person": "Person", "org": "Organisation", "outlet": "Outlet"}

# What the HTML page shows of a large story (the JSON twin carries everything the store returned): a page
# of 200 groups of 100 members each took a second to render and weighed 10 MB.
MAX_LANES = 20  # outlets drawn on the timeline; the rest share one lane
MAX_GROUPS_SHOWN = 40
MAX_MEMBERS_SHOWN = 12


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def corpus_source_href(corpus_source_id: str | None) -> str | None:
    """The corpus-source page of a named corpus source; None for an article-local one (never merged)."""
    if not corpus_source_id or corpus_source_id.startswith("local:"):
        return None
    return "/sources/" + quote(corpus_source_id, safe=":")


def story_href(story_id: str | None) -> str | None:
    return "/stories/" + quote(story_id, safe=":") if story_id else None


def group_anchor(group_id: str) -> str:
    """An HTML id for a statement group ("statement:<article>/<attribution>" holds a slash)."""
    return "group-" + re.sub(r"[^A-Za-z0-9_-]+", "-", group_id)


def group_href(story_id: str | None, group_id: str | None) -> str | None:
    if not story_id or not group_id:
        return None
    return f"{story_href(story_id)}#{group_anchor(group_id)}"


def corpus_kind_label(corpus_source_id: str, source_kind: str | None = None) -> str:
    """Person, Organisation, Outlet from the id's prefix; else (a ``local:`` id) the stored source kind's label."""
    prefix = corpus_source_id.partition(":")[0]
    return CORPUS_KIND_LABELS.get(prefix) or source_kind_label(source_kind)


def corroboration_sentence(group: dict[str, Any], outlets: int | None = None) -> str:
    """The corroboration in words: "3 outlets, 1 independent report from 1 independent source: 2 echoes".

    ``outlets`` defaults to the group's carriers; the article page, which knows only the counts, passes None
    and gets the sentence without them.
    """
    reports = int(group.get("independent_reports") or 0)
    sources = int(group.get("independent_sources") or 0)
    echoes = int(group.get("echoes") or 0)
    said = f"{plural(reports, 'independent report')} from {plural(sources, 'independent source')}"
    if outlets is not None:
        said = f"{plural(outlets, 'outlet') if outlets else 'no named outlet'}, {said}"
    return f"{said}: {plural(echoes, 'echo', 'echoes')}" if echoes else f"{said}, no echoes"


def first_note_text(note: str | None) -> str | None:
    """What a group's first-appearance note means; None for a plain earliest member ('' or 'earliest')."""
    return FIRST_NOTES.get(note or "")


def _member_label(member: dict[str, Any]) -> str:
    outlet = member.get("outlet") or "(no outlet)"
    return f"{outlet}, {member['published']}" if member.get("published") else f"{outlet}, undated"


def _one_per_article(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first member of each article: an article that carries a statement twice reported it once."""
    seen: set[str] = set()
    kept = []
    for member in members:
        if member.get("article_id") not in seen:
            seen.add(member.get("article_id"))
            kept.append(member)
    return kept


def statement_group_view(group: dict[str, Any], articles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One group of ``get_story``: its statement, first reporter(s), carriers and corroboration in words."""
    members = list(group.get("members") or [])
    first = _one_per_article([m for m in members if m.get("is_first")])
    lead = first[0] if first else (members[0] if members else {})
    rows = []
    for member in members[:MAX_MEMBERS_SHOWN]:
        relayed = articles.get(member.get("relays_article_id") or "")
        rows.append(
            {
                **member,
                "label": _member_label(member),
                "corpus_href": corpus_source_href(member.get("corpus_source_id")),
                "relays": relayed,
            }
        )
    return {
        **group,
        "anchor": group_anchor(group["group_id"]),
        "content": lead.get("content"),
        "source_name": lead.get("source_name"),
        "first": [{**m, "label": _member_label(m)} for m in first],
        "note_text": first_note_text(group.get("first_note")),
        "sentence": corroboration_sentence(group, len(group.get("outlets") or [])),
        "rows": rows,
        "more_members": max(int(group.get("member_count") or len(members)) - len(rows), 0),
    }


def timeline(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """The story's articles by outlet: one lane per outlet (in order of its first article), dots by day.

    Copies are marked with the article they copy. Undated articles sit in a column of their own at the
    right. The lanes are geometry for an SVG; ``rows`` is the same content in date order for a table.
    """
    by_id = {a["article_id"]: a for a in articles}
    rows = []
    for a in articles:
        original = by_id.get(a.get("copy_of") or "")
        copy_note = None
        if a.get("copy_of"):
            copy_note = "copy of " + (
                f"{original.get('outlet') or '(no outlet)'}: {original.get('title') or '(untitled)'}"
                if original
                else a["copy_of"]
            )
        rows.append(
            {**a, "copy_note": copy_note, "copy_href": "/articles/" + a["copy_of"] if a.get("copy_of") else None}
        )
    days = sorted({d for d in (_day(a.get("published")) for a in articles) if d})
    lanes: dict[str, int] = {}  # outlet -> lane, in order of the outlet's first article
    for a in articles:
        lanes.setdefault(a.get("outlet") or "(no outlet)", min(len(lanes), MAX_LANES))
    labels = list(lanes)[:MAX_LANES]
    if len(lanes) > MAX_LANES:
        labels.append(f"{len(lanes) - MAX_LANES} other outlets")
    label_w, lane_h, width = 170, 26, 640
    span = max((days[-1] - days[0]).days, 0) if days else 0
    undated_x = width - 20
    plot_w = width - label_w - 60
    dots = []
    for r in rows:
        day = _day(r.get("published"))
        x = undated_x if day is None else label_w + 10 + ((day - days[0]).days / span * plot_w if span else plot_w / 2)
        y = lanes[r.get("outlet") or "(no outlet)"] * lane_h + lane_h / 2
        dots.append({"x": round(x, 1), "y": y, "row": r, "copy": bool(r.get("copy_of"))})
    ticks = []
    if days:
        ticks.append({"x": label_w + 10 + (0 if span else plot_w / 2), "label": days[0].isoformat()})
        if span:
            ticks.append({"x": label_w + 10 + plot_w, "label": days[-1].isoformat()})
    height = len(labels) * lane_h + 24
    return {
        "rows": rows,
        "lanes": [{"label": label, "y": i * lane_h + lane_h / 2} for i, label in enumerate(labels)],
        "dots": dots,
        "ticks": ticks,
        "has_undated": any(_day(r.get("published")) is None for r in rows),
        "undated_x": undated_x,
        "width": width,
        "height": height,
        "axis_y": len(labels) * lane_h + 4,
        "label_x": label_w - 8,
    }


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def by_day_chart(days: list[dict[str, Any]], width: float = 640, height: float = 180) -> dict[str, Any]:
    """Stacked columns per publication day: on record, anonymous, no source (bottom up)."""
    top = max((sum(int(d.get(k) or 0) for k, _ in DAY_PARTS) for d in days), default=0) or 1
    n = max(len(days), 1)
    slot = (width - 40) / n
    bar_w = max(min(slot * 0.7, 48), 2)
    every = max(1, -(-80 // int(max(slot, 1))))  # a YYYY-MM-DD label needs ~80 px
    baseline = height - 24
    columns = []
    for i, day in enumerate(days):
        x = 30 + i * slot + (slot - bar_w) / 2
        y = baseline
        parts = []
        for key, label in DAY_PARTS:
            value = int(day.get(key) or 0)
            h = value / top * (height - 40)
            y -= h
            parts.append({"part": key, "label": label, "value": value, "y": y, "height": h})
        columns.append(
            {
                "day": day.get("day"),
                "x": x,
                "width": bar_w,
                "parts": parts,
                "total": sum(p["value"] for p in parts),
                "label_x": 30 + i * slot + slot / 2,
                "show_label": i % every == 0,
            }
        )
    return {"columns": columns, "width": width, "height": height, "baseline": baseline, "top": top}


def claim_rows(claims: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claims with their reading ("about $5 billion"), as the article page words them."""
    rows = []
    for claim in claims:
        value = claim.get("value")
        number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        reading = claim.get("reading") or claim_reading(
            number,
            claim.get("unit"),
            claim.get("qualifier"),
            claim.get("date"),
            claim.get("date_end"),
            bool(claim.get("relative")),
        )
        rows.append({**claim, "reading": reading, "corpus_href": corpus_source_href(claim.get("corpus_source_id"))})
    return rows


def story_view(story: dict[str, Any]) -> dict[str, Any]:
    """Everything story.html needs from one ``get_story`` result."""
    articles = list(story.get("articles") or [])
    by_id = {a["article_id"]: a for a in articles}
    outlets = sorted({a.get("outlet") for a in articles if a.get("outlet")})
    groups = list(story.get("statement_groups") or [])
    return {
        "timeline": timeline(articles),
        "outlets": outlets,
        "copies": sum(1 for a in articles if a.get("copy_of")),
        "by_day": by_day_chart(list(story.get("by_day") or [])),
        "groups": [statement_group_view(g, by_id) for g in groups[:MAX_GROUPS_SHOWN]],
        "more_groups": max(int(story.get("group_count") or len(groups)) - MAX_GROUPS_SHOWN, 0),
        "claims": claim_rows(story.get("claims") or []),
        "echo_explained": ECHO_EXPLAINED,
        "day_parts": DAY_PARTS,
    }


def statement_link_views(links: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per attribution of an article: "first reported by ..." / "also reported by ..." with their links."""
    views = {}
    for attribution_id, link in links.items():
        first = [{**r, "label": _member_label(r)} for r in link.get("first_reported_by") or []]
        first_ids = {r.get("article_id") for r in first}
        # The first reporters are named once, under "first reported by", not again under "also".
        also = _one_per_article(
            [
                {**r, "label": _member_label(r)}
                for r in link.get("also_reported_by") or []
                if r.get("article_id") not in first_ids
            ]
        )
        views[attribution_id] = {
            **link,
            "first": first,
            "also": also[:MAX_MEMBERS_SHOWN],
            "more_also": max(len(also) - MAX_MEMBERS_SHOWN, 0),
            "note_text": first_note_text(link.get("first_note")),
            "sentence": corroboration_sentence(link),
        }
    return views
