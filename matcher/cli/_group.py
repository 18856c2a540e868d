"""The click groups of ``matcher``: bad input never shows a traceback, and a bug always does."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from matcher.messages import translate
from profiles.errors import CatalogError, ShienError

__all__ = ["OneLineErrorGroup", "LazyGroup", "remember_lang"]


def remember_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The callback of a command's ``--lang``: its errors are then given in that language."""
    ctx.meta["matcher.lang"] = value
    return value


class OneLineErrorGroup(click.Group):
    """Turns bad input and I/O errors into one line on stderr and exit code 2.

    A catalog's problems print as they are (one per line, each naming file, entry and
    field); any other error of the project (a :class:`~profiles.errors.ShienError`:
    bad input, a bad parameter, a missing optional package) or an ``OSError`` prints on
    one line. Every other exception is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except ShienError as exc:
            click.echo(f"{self._error(ctx)}: {translate(' '.join(str(exc).split()), self._lang(ctx))}", err=True)
            ctx.exit(2)
        except BrokenPipeError:
            raise
        except OSError as exc:
            click.echo(f"{self._error(ctx)}: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "),
                       err=True)
            ctx.exit(2)

    @staticmethod
    def _lang(ctx: click.Context) -> str:
        return ctx.meta.get("matcher.lang", "en")

    def _error(self, ctx: click.Context) -> str:
        return "エラー" if self._lang(ctx) == "ja" else "error"


class LazyGroup(OneLineErrorGroup):
    """Turns the package's errors into one line on stderr and exit code 2; loads
    the ``synth`` and ``serve`` commands only when they are used, so that start-up stays quick."""

    _lazy = {"synth": ("matcher.cli.synth", "synth", "Make synthetic firms and programs for scale tests and benchmarks."),
             "serve": ("matcher.cli.serve", "serve", "Serve the matcher over HTTP: ranking, programs, municipalities."),
             "register": ("matcher.cli.register", "register",
                          "The coordinator's register: firms, outcomes, call lists, alerts, reports.")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, without importing the lazy commands for their one-line help."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            if name in self._lazy and name not in self.commands:
                rows.append((name, self._lazy[name][2]))
                continue
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self._lazy and name not in self.commands:
            module, attr, _ = self._lazy[name]
            self.add_command(getattr(import_module(module), attr), name)
        return super().get_command(ctx, name)
