"""What the gender check changes in pronoun resolution, for reading by hand.

PolNeAR has no coreference, so the check cannot be scored automatically. This script takes the gold
attributions of a split whose source mention is a personal pronoun (he, she, him, her, his), and resolves each
one with the sources component twice: once as shipped, and once with the gender check switched off. It prints
every attribution whose source entity differs, with the text before the pronoun, so that each change can be
judged right or wrong by reading. The counts in docs/sources.md were made this way.

    python bench/pronoun_gender.py ../shared/data/polnear/dev [--limit N]

Parses are cached under ``$ONRECORD_CACHE`` (see ``onrecord eval polnear``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from onrecord.analysis.pipeline import DEFAULT_MODEL
from onrecord.analysis.sources import gender
from onrecord.analysis.sources.component import SourcesComponent
from onrecord.analysis.sources.tables import load_tables
from onrecord.corpus.polnear import PolnearDocument, iter_split
from onrecord.evaluation.polnear import parse_split
from onrecord.model import Attribution, AttributionKind, Span

PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
Resolutions = dict[tuple[str, str], tuple[str | None, int]]  # (article, attribution) -> (source name, offset)


def pronoun_attributions(document: PolnearDocument) -> list[Attribution]:
    """The article's gold attributions with a personal-pronoun source, as onrecord attributions."""
    text = document.text
    out = []
    for number, gold in enumerate(document.attributions):
        if gold.source is None or not gold.contents:
            continue
        start, end = gold.source.fragments[0]
        if text[start:end].lower() not in PRONOUNS:
            continue
        fragments = gold.content_fragments
        cue = Span.of(text, *gold.cue.fragments[0]) if gold.cue else None
        out.append(
            Attribution(
                id=f"a{number}",
                kind=AttributionKind.INDIRECT,
                cue=cue,
                content=Span.of(text, fragments[0][0], fragments[-1][1]),
                source=Span.of(text, start, end),
            )
        )
    return out


def resolve_all(documents: list[PolnearDocument], docs: list, component: Callable) -> Resolutions:
    resolutions: Resolutions = {}
    for document, doc in zip(documents, docs, strict=True):
        doc._.attributions = pronoun_attributions(document)
        doc = component(doc)
        names = {source.id: source.name for source in doc._.sources}
        for attribution in doc._.attributions:
            assert attribution.source is not None
            resolutions[(document.name, attribution.id)] = (
                names.get(attribution.source_id or ""),
                attribution.source.start,
            )
    return resolutions


@click.command()
@click.argument("split_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--limit", type=int, default=None, help="The first N articles only.")
@click.option("--context", "context_chars", type=int, default=240, help="Characters shown before each pronoun.")
def main(split_dir: Path, limit: int | None, context_chars: int) -> None:
    documents = list(iter_split(split_dir, limit))
    docs = parse_split(documents, DEFAULT_MODEL)
    component = SourcesComponent(load_tables())
    texts = {document.name: document.text for document in documents}
    with_gender = resolve_all(documents, docs, component)
    checks = (gender.Genders.token_agrees, gender.Genders.name_agrees)
    gender.Genders.token_agrees = lambda self, token, wanted: True  # type: ignore[method-assign]
    gender.Genders.name_agrees = lambda self, name, wanted: True  # type: ignore[method-assign]
    try:
        without = resolve_all(documents, docs, component)
    finally:
        gender.Genders.token_agrees, gender.Genders.name_agrees = checks  # type: ignore[method-assign]
    changed = [key for key in with_gender if with_gender[key][0] != without[key][0]]
    click.echo(f"pronoun sources: {len(with_gender)}; resolved differently with the gender check: {len(changed)}")
    for number, key in enumerate(changed):
        name, offset = with_gender[key]
        before = texts[key[0]][max(0, offset - context_chars) : offset + 40].replace("\n", " ")
        click.echo(f"\n{number}. {key[0]} {key[1]}: without {without[key][0]!r} -> with {name!r}\n   ...{before}")


if __name__ == "__main__":
    main()
