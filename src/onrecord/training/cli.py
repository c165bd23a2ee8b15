"""``onrecord train``: rebuild the attribution model's weights from PolNeAR train."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("train")
@click.option(
    "--polnear",
    "split_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="PolNeAR train split directory (default: shared/data/polnear/train).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the weights to (default: the bundled weights folder).",
)
@click.option("--model", default=None, help="spaCy model to parse with (default: onrecord's).")
@click.option("--iterations", type=click.IntRange(min=1), default=None, help="CRF training iterations.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Train on the first K articles only.")
@click.option("--verbose", is_flag=True, help="Show the CRF optimiser's progress.")
def train(
    split_dir: Path | None,
    output: Path | None,
    model: str | None,
    iterations: int | None,
    limit: int | None,
    verbose: bool,
) -> None:
    """Train the attribution tagger on PolNeAR train and write its weights."""
    from onrecord.analysis.attribution.tagger import WEIGHTS_DIR
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.corpus.polnear import default_split_dir
    from onrecord.training.attribution import train as run_training

    split_dir = split_dir or default_split_dir("train")
    if not (split_dir / "text").is_dir():
        raise click.ClickException(f"{split_dir}: not a PolNeAR split (no text/ directory)")
    report = run_training(split_dir, output or WEIGHTS_DIR, model or DEFAULT_MODEL, iterations, limit, verbose)
    total = report.parse_seconds + report.train_seconds
    click.echo(
        f"trained on {report.documents} articles, {report.tokens:,} tokens; wrote {report.output}\n"
        f"time: {total:.1f} s (parsing {report.parse_seconds:.1f} s, features + CRF {report.train_seconds:.1f} s)"
    )
