"""What the ``matcher register`` commands share: the register the group's options name, JSON output, options.

The group (:mod:`matcher.cli.register`) keeps ``--db``, ``--as`` and ``--weights`` in the
click context; :func:`open_register` opens that register once per command line.
"""

from __future__ import annotations

import json
from typing import Any

import click

__all__ = ["open_register", "register_weights", "echo_json", "json_option", "as_of_option"]

#: ``--json``: what the library returns, instead of a table.
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
#: ``--as-of``: the day eligibility is judged on.
as_of_option = click.option("--as-of", type=str, default=None,
                            help="Judge eligibility on this day (YYYY-MM-DD; default today).")


def register_weights(obj: dict[str, Any]):
    """The weights of the group's ``--weights FILE`` (``MATCHER_WEIGHTS``), or ``None`` (the built-in ones)."""
    from matcher.weights import load_weights

    return load_weights(obj["weights"]) if obj.get("weights") else None


def open_register(ctx: click.Context):
    """The register of the group's ``--db``, acting as ``--as``, scoring with ``--weights`` (opened once)."""
    from matcher.register import Register

    obj = ctx.obj
    if "reg" not in obj:
        obj["reg"] = Register(obj["db"], actor=obj["actor"], weights=register_weights(obj))
        ctx.call_on_close(obj["reg"].close)
    return obj["reg"]


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
