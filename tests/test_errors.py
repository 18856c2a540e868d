"""One error root, one sibling per package, and the CLI turning only the project's errors into one line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from matcher.cli._group import OneLineErrorGroup
from matcher.errors import EngineFormatError, MatcherError, NotFittedError, ParameterError
from profiles.errors import CatalogError, InputError, ProfilesError, ShienError
from rules.errors import RuleSyntaxError, RulesError


def test_each_package_has_one_error_class_directly_under_the_root():
    for cls in (ProfilesError, RulesError, MatcherError):
        assert cls.__bases__ == (ShienError,)
    assert not issubclass(MatcherError, RulesError) and not issubclass(RulesError, ProfilesError)
    assert issubclass(InputError, ValueError) and issubclass(InputError, ProfilesError)
    assert issubclass(CatalogError, ProfilesError) and issubclass(RuleSyntaxError, RulesError)
    assert issubclass(NotFittedError, MatcherError) and issubclass(NotFittedError, AttributeError)
    assert issubclass(EngineFormatError, MatcherError) and issubclass(ParameterError, ValueError)


def test_errors_keep_their_attributes():
    e = InputError("employees", -1, "must be >= 0", ["0"])
    assert (e.field, e.value, e.message, e.candidates) == ("employees", -1, "must be >= 0", ["0"])
    assert RuleSyntaxError("logic.and[0]", "bad").path == "logic.and[0]"


def _group_raising(exc: BaseException) -> click.Group:
    @click.group(cls=OneLineErrorGroup)
    def group() -> None:
        pass

    @group.command()
    def go() -> None:
        raise exc

    return group


@pytest.mark.parametrize("exc", [ParameterError("top must be an integer >= 1, got 0"), InputError("f", 1, "bad"),
                                 FileNotFoundError(2, "No such file or directory", "x.yaml")])
def test_the_cli_prints_the_projects_errors_and_os_errors_on_one_line(exc):
    result = CliRunner().invoke(_group_raising(exc), ["go"])
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("exc", [TypeError("unsupported operand"), ValueError("a bug, not bad input")])
def test_a_bug_keeps_its_traceback(exc):
    result = CliRunner().invoke(_group_raising(exc), ["go"])
    assert result.exit_code == 1 and result.exception is exc
