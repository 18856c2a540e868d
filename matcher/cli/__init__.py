"""The ``matcher`` command: a thin layer over :class:`matcher.MatchEngine`.

Every command prints a readable table by default and exactly the library's JSON with
``--json``. Bad input prints one line on stderr naming the field and the value and
exits with code 2; there is never a traceback for bad input, and always one for a bug.

The commands are in :mod:`~matcher.cli.commands` (rank, explain, reach, batch, fit,
catalog), :mod:`~matcher.cli.synth` and :mod:`~matcher.cli.serve` (both loaded only
when used); the error handling in :mod:`~matcher.cli._group`, the text output in
:mod:`~matcher.cli._render`. A new command is a function in one of these modules,
added to :data:`cli` below.
"""

from __future__ import annotations

import sys

import click

from matcher.cli._group import LazyGroup
from matcher.cli.commands import batch, catalog, explain, fit, rank, reach
from matcher.cli.firms import firms

__all__ = ["main", "cli"]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shien-matcher", prog_name="matcher")
def cli() -> None:
    """Match companies with the public support programs they can use.

    Example:

        matcher rank examples/kita-metal-press.yaml
    """


for _command in (rank, explain, reach, batch, fit, catalog, firms):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``matcher`` console script."""
    try:
        cli.main(args=argv, prog_name="matcher")
    except BrokenPipeError:  # e.g. `matcher rank firm.yaml | head`: the reader has gone, stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
