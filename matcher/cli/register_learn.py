"""``matcher register learn``: the score's weights fitted to the register's outcomes (see :mod:`matcher.register.learn`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["learn"]


@click.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), required=True,
              help="The weights file to write when the learned weights rank better (never overwritten).")
@click.option("--weights", "current", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The current weights, a weights file (default: the register's, `register --weights`, "
                   "else the built-in weights).")
@click.option("--alpha", type=click.FloatRange(min=0), default=0.05, show_default=True,
              help="Pull toward the current weights (larger: closer to them).")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True, help="Folds of firms for the held-out comparison.")
@click.option("--min-gain", type=click.FloatRange(min=0), default=0.02, show_default=True,
              help="Held-out nDCG gain needed to adopt the learned weights.")
@click.option("--as-of", type=str, default=None, help="Judge the firms' facts on this day (YYYY-MM-DD; default today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def learn(ctx: click.Context, output: str, current: str | None, alpha: float, folds: int, min_gain: float,
          as_of: str | None, as_json: bool) -> None:
    """Fit the score's weights to the recorded outcomes; write them only if held-out outcomes rank better.

    Awarded, applied and interested count as positive, declined and not_relevant as
    negative. Firms are split into folds; the held-out firms' outcomes are ranked with the
    current and with the learned weights and both nDCGs printed. The weights file is
    written only when the learned weights win (by --min-gain and three times the standard
    error); the library reads it with matcher.weights.load_weights(path).

    Example:

        matcher register learn --output weights.yaml
    """
    from matcher.register import Register
    from profiles import InputError
    from matcher.register.learn import learn as fit
    from matcher.weights import COMPONENTS, Weights, dump_weights, load_weights

    if Path(output).exists():
        raise InputError("output", output, "the file exists; name a new one (files are never overwritten)")
    obj = ctx.obj
    current = current or obj.get("weights")
    prior = load_weights(current) if current else Weights()
    reg = Register(obj["db"], actor=obj["actor"], weights=prior)
    ctx.call_on_close(reg.close)
    learner = fit(reg, prior=prior, alpha=alpha, n_splits=folds, min_gain=min_gain, as_of=as_of)
    summary = {**learner.summary(), "db": reg.engine.url.render_as_string(hide_password=True),
               "current_file": current, "written": None}
    if learner.adopt_:
        summary["written"] = dump_weights(learner.weights_, output, meta={k: v for k, v in summary.items()
                                                                         if k != "written"})
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"outcomes: {learner.n_firms_} firms with both a positive and a negative outcome, "
               f"{learner.n_pairs_} (positive, negative) pairs")
    click.echo(f"held-out nDCG by firm: current {learner.ndcg_current_:.4f}, learned {learner.ndcg_learned_:.4f} "
               f"(gain {learner.gain_:+.4f} ± {learner.gain_se_:.4f})")
    click.echo(f"{'component':<10} {'current':>8} {'learned':>8}")
    for c in COMPONENTS:
        click.echo(f"{c:<10} {prior.as_dict()[c]:>8.3f} {learner.weights_.as_dict()[c]:>8.3f}")
    if learner.adopt_:
        click.echo(f"adopted: wrote {output}")
    else:
        click.echo(f"kept the current weights: the held-out gain is not at least {min_gain} and three times its "
                   "standard error; nothing written")
