"""The ``onrecord`` command: a thin registry of subcommands, each imported only when run."""

from __future__ import annotations

import importlib

import click

# Subcommand name -> "module:attribute" of its click command. Importing lazily keeps
# `onrecord --help` fast and lets each stage own its command next to its code.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("onrecord.report.cli:analyze", "Analyse articles: attributions, sources, claims."),
    "eval": ("onrecord.evaluation.cli:eval_group", "Measure analysis quality against labelled data."),
    "train": ("onrecord.training.cli:train", "Retrain the attribution model from PolNeAR train."),
    "ingest": ("onrecord.store.cli:ingest", "Analyse articles and store them in a corpus database."),
    "link": ("onrecord.store.cli:link", "Link a corpus's articles into stories and statement groups."),
    "export": ("onrecord.store.cli:export", "Write a corpus's attributions and sources as CSV, JSONL, Parquet."),
    "watch": ("onrecord.fetching.watch:watch_command", "Poll feeds and sitemaps into a corpus database."),
    "serve": ("onrecord.web.cli:serve", "Serve the web app and JSON API over a corpus database."),
    "demo": ("onrecord.web.cli:demo", "Build a corpus from the bundled example articles and serve it."),
}


EXIT_INTERRUPTED = 130


class LazyGroup(click.Group):
    def __init__(self, *args, lazy: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.lazy[name][1]) for name in sorted(self.lazy)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def invoke(self, ctx: click.Context) -> object:
        # Ctrl-C anywhere in a command (importing it included) ends it as a shell expects, 128 + SIGINT,
        # instead of click's "Aborted!" with status 1; commands that report what they did catch it first.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name][0].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.version_option(package_name="onrecord")
def main() -> None:
    """Who said what, on whose authority: attributions, sources and claims in news reporting."""
