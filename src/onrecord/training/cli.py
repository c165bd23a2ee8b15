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
    "--model",
    "attribution_model",
    type=click.Choice(["crf", "neural"]),
    default="crf",
    show_default=True,
    help="crf: the two CRFs; neural: the MiniLM encoder (needs the train extra: torch) and CRFs stacked on it.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the weights to (default: the model's bundled weights folder).",
)
@click.option(
    "--dev",
    "dev_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="PolNeAR dev split to choose the neural encoder's temperature on (default: shared/data/polnear/dev "
    "when present).",
)
@click.option("--spacy-model", default=None, help="spaCy model to parse with (default: onrecord's).")
@click.option("--iterations", type=click.IntRange(min=1), default=None, help="CRF training iterations.")
@click.option(
    "--epochs", type=click.IntRange(min=1), default=None, help="The shipped encoder's fine-tuning epochs (neural)."
)
@click.option(
    "--fold-epochs",
    type=click.IntRange(min=1),
    default=None,
    help="Each fold encoder's fine-tuning epochs over its half of train (neural).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Use the first K articles only (of train, and of dev for the temperature).",
)
@click.option("--verbose", is_flag=True, help="Show the CRF optimiser's progress.")
def train(
    split_dir: Path | None,
    attribution_model: str,
    output: Path | None,
    dev_dir: Path | None,
    spacy_model: str | None,
    iterations: int | None,
    epochs: int | None,
    fold_epochs: int | None,
    limit: int | None,
    verbose: bool,
) -> None:
    """Train the attribution model on PolNeAR train and write its weights."""
    from onrecord.analysis.attribution.component import weights_for
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.corpus.polnear import default_split_dir

    split_dir = split_dir or default_split_dir("train")
    if not (split_dir / "text").is_dir():
        raise click.ClickException(f"{split_dir}: not a PolNeAR split (no text/ directory)")
    output = output or weights_for(attribution_model)
    if attribution_model == "neural":
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            raise click.ClickException("--model neural trains with torch: pip install -e '.[train]'") from exc
        from onrecord.training.stacked import FOLD_EPOCHS, SHIPPED_EPOCHS, train_neural

        if dev_dir is not None and not (dev_dir / "text").is_dir():
            raise click.ClickException(f"{dev_dir}: not a PolNeAR split (no text/ directory)")
        if dev_dir is None and (default_split_dir("dev") / "text").is_dir():
            dev_dir = default_split_dir("dev")
        if dev_dir is None:
            click.echo("no PolNeAR dev split: the encoder's temperature stays 1 (pass --dev to choose one)")
        report = train_neural(
            split_dir,
            output,
            spacy_model or DEFAULT_MODEL,
            epochs or SHIPPED_EPOCHS,
            limit,
            iterations,
            log=click.echo,
            dev_dir=dev_dir,
            fold_epochs=fold_epochs or FOLD_EPOCHS,
        )
        total = (
            report.parse_seconds
            + report.folds_seconds
            + report.encoder_seconds
            + report.crf_seconds
            + report.temperature_seconds
        )
        chosen = f"; temperature {report.temperature} (chosen on dev)" if report.temperature is not None else ""
        click.echo(
            f"trained on {report.documents} articles; wrote {report.output}{chosen}\n"
            f"time: {total:.0f} s (parsing {report.parse_seconds:.0f} s, encoder folds {report.folds_seconds:.0f} s, "
            f"encoder {report.encoder_seconds:.0f} s, CRFs {report.crf_seconds:.0f} s, "
            f"temperature {report.temperature_seconds:.0f} s)"
        )
        return
    from onrecord.training.attribution import train as run_training

    report = run_training(split_dir, output, spacy_model or DEFAULT_MODEL, iterations, limit, verbose)
    total = report.parse_seconds + report.train_seconds
    click.echo(
        f"trained on {report.documents} articles, {report.tokens:,} tokens; wrote {report.output}\n"
        f"time: {total:.1f} s (parsing {report.parse_seconds:.1f} s, features + CRF {report.train_seconds:.1f} s)"
    )
