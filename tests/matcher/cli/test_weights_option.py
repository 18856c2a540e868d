"""`--weights FILE` ranks with the weights of a file such as `matcher register learn` writes."""

import json

from click.testing import CliRunner

from matcher.cli import cli
from matcher.weights import dump_weights
from tests.conftest import EXAMPLES

FIRM = str(EXAMPLES / "kita-metal-press.yaml")


def test_rank_scores_with_the_weights_of_the_file(tmp_path):
    w = {"text": 0.2, "needs": 0.2, "kind": 0.1, "industry": 0.2, "locality": 0.3}
    path = dump_weights(w, tmp_path / "weights.yaml")
    out = CliRunner().invoke(cli, ["rank", FIRM, "--weights", str(path), "--json"])
    assert out.exit_code == 0, out.output
    top = json.loads(out.output)["schemes"][0]
    assert abs(sum(w[c] * v for c, v in top["components"].items()) - top["score"]) < 1e-5


def test_a_missing_weights_file_is_one_line_and_exit_2(tmp_path):
    out = CliRunner().invoke(cli, ["rank", FIRM, "--weights", str(tmp_path / "none.yaml")])
    assert out.exit_code == 2 and "none.yaml" in out.output and "Traceback" not in out.output
