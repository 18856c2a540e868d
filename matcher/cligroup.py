"""The click group every ``matcher`` command group uses: bad input never shows a traceback."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["OneLineErrorGroup"]


class OneLineErrorGroup(click.Group):
    """Turns bad input and I/O errors into one line on stderr and exit code 2.

    A catalog's problems print as they are (one per line, each naming file, entry and
    field); any other error of the packages, a ``ValueError``/``TypeError`` from a
    bad argument, a missing optional package or an ``OSError`` prints on one line.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from profiles.errors import CatalogError, ProfilesError

        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except (ProfilesError, ValueError, TypeError, ModuleNotFoundError) as exc:
            click.echo(f"error: {' '.join(str(exc).split())}", err=True)
            ctx.exit(2)
        except BrokenPipeError:
            raise
        except OSError as exc:
            click.echo(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), err=True)
            ctx.exit(2)
