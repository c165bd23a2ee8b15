"""``onrecord eval``: score onrecord against labelled data."""

from __future__ import annotations

import click

from onrecord.cli import LazyGroup

EVALUATIONS: dict[str, tuple[str, str]] = {
    "polnear": ("onrecord.evaluation.polnear:polnear_command", "Attribution spans against a PolNeAR split."),
    "sources": ("onrecord.evaluation.sources:sources_command", "Source profiles against the labelled set."),
    "claims": ("onrecord.evaluation.claims:claims_command", "Quantities and dates against the labelled set."),
    "stories": ("onrecord.evaluation.stories:stories_command", "Story clusters and statement links (labelled)."),
}


@click.group(cls=LazyGroup, lazy=EVALUATIONS)
def eval_group() -> None:
    """Measure analysis quality against labelled data."""
