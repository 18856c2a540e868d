"""The ``matcher synth`` commands: synthetic firms and programs for scale tests and benchmarks.

A thin layer over :mod:`matcher.synth.write`: ``matcher synth firms`` writes firms
(:mod:`matcher.synth.firms`) and ``matcher synth programs`` a catalog file.

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(synth, ["firms", "--n", "2", "--profile", "ota", "-o", "-", "--format", "csv"])
>>> result.exit_code, result.stdout.splitlines()[0].split(",")[:4]
(0, ['id', 'name', 'prefecture', 'municipality'])
"""

from __future__ import annotations

import click

from matcher.cli._group import OneLineErrorGroup
from matcher.synth.calibration import PROFILES
from matcher.synth.firms import MAX_FIRMS
from matcher.synth.write import write_firms, write_programs

__all__ = ["synth"]


_seed_opt = click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                         help="Random seed; the same seed gives the same output.")


@click.group(cls=OneLineErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
def synth() -> None:
    """Make synthetic firms and programs for scale tests and benchmarks.

    Example:

        matcher synth firms --n 100000 --profile mixed --seed 1 -o firms.parquet
    """


@synth.command()
@click.option("--n", "n", type=click.IntRange(1, MAX_FIRMS), required=True, help="How many firms.")
@click.option("--profile", type=click.Choice(PROFILES), default="mixed", show_default=True,
              help="Ota Ward, Higashi Osaka, or both in the survey's proportions (507:691).")
@_seed_opt
@click.option("-o", "--output", type=str, required=True, metavar="FILE",
              help="Output file: .csv, .jsonl or .parquet (Parquet needs pyarrow); - for standard output.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
              help="Format, whatever the extension (needed for standard output).")
def firms(n: int, profile: str, seed: int, output: str, fmt: str | None) -> None:
    """Write synthetic firms calibrated on the Ota / Higashi Osaka survey.

    Firms are streamed in blocks, so memory stays bounded for any --n. In CSV the
    needs are one cell joined by ";"; in JSON Lines and Parquet they are a list.

    Example:

        matcher synth firms --n 1000000 --profile ota --seed 7 -o ota.parquet
    """
    count = write_firms(output, n, profile, seed, fmt)
    where = "standard output" if output == "-" else output
    click.echo(f"wrote {count:,} firms (profile {profile}, seed {seed}) to {where}", err=True)


@synth.command()
@click.option("--n", "n", type=click.IntRange(min=1), required=True, help="How many programs.")
@_seed_opt
@click.option("-o", "--output", type=str, required=True, metavar="FILE",
              help="Output catalog file: .yaml, .yml or .json; - for standard output.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default=None,
              help="Format, whatever the extension (needed for standard output).")
def programs(n: int, seed: int, output: str, fmt: str | None) -> None:
    """Write synthetic programs as a catalog file (for speed tests, never as facts).

    Example:

        matcher synth programs --n 5000 --seed 1 -o synth-catalog/programs.yaml
    """
    count = write_programs(output, n, seed, fmt)
    where = "standard output" if output == "-" else output
    click.echo(f"wrote {count:,} programs (seed {seed}) to {where}", err=True)
