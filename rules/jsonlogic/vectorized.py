"""The vectorized operators and the compiler of a rule into node functions over :class:`~rules.jsonlogic.columns.Column`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rules.errors import RuleSyntaxError
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic.values import LISTS, NAN, UNDEFINED, is_num, parse_float, relation, to_number
from rules.jsonlogic.standard import (
    OPS,
    SCOPED,
    apply_raw,
    arg_at,
    missing_of,
    missing_some_of,
    op_in,
    reads_facts,
    scoped_op,
    split_op,
    unknown_operator,
)
from rules.jsonlogic.three_valued import need_order
from rules.jsonlogic.columns import (
    CONST,
    NEEDS_MASK,
    NUM,
    bool_col,
    Column,
    const_col,
    Context,
    from_table,
    generic,
    known_all,
    truth_col,
    Values,
)

__all__ = ["Node", "compile_rule"]

Node = Callable[[Context], Column]


def _strict_num(v: Any) -> float:
    return float(v) if is_num(v) else NAN


def _loose_num(v: Any) -> float:
    return NAN if v is None or v is UNDEFINED else to_number(v)


def _relational(op: str, cols: list[Column], n: int) -> Column:
    known = known_all(cols, n)
    result = np.ones(n, bool)
    for a, b in zip(cols, cols[1:]):
        if a.never_string() or b.never_string():
            x, y = a.floats(to_number), b.floats(to_number)
            with np.errstate(invalid="ignore"):
                r = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
        else:
            r = generic(n, lambda p, q: relation(op, p, q), [a, b]).bools()
        result &= r
    return bool_col(result, known)


def _equality(op: str, a: Column, b: Column, n: int) -> Column:
    known = known_all([a, b], n)
    strict = op in ("===", "!==")
    if a.all_numbers() or b.all_numbers():
        num, other = (a, b) if a.all_numbers() else (b, a)
        x = num.floats(to_number)
        y = other.floats(_strict_num if strict else _loose_num)
        eq = x == y
        return bool_col(eq if op in ("==", "===") else ~eq, known)
    return generic(n, lambda p, q: OPS[op]([p, q]), [a, b])


def _contains(a: Column, b: Column, n: int) -> Column:
    if b.kind == NEEDS_MASK and a.kind == CONST:
        bit = need_order().get(a.data) if isinstance(a.data, str) else None
        if bit is None:
            return bool_col(np.zeros(n, bool), None)
        return bool_col((b.data >> bit) & 1 == 1, None)
    return generic(n, lambda p, q: op_in([p, q]), [a, b])


def _arith(op: str, cols: list[Column], n: int) -> Column:
    known = known_all(cols, n)
    with np.errstate(all="ignore"):
        if op == "+":
            acc = np.zeros(n)
            for c in cols:
                acc = (acc + 0.0) + c.floats(parse_float)
        elif op == "*":
            acc = cols[0].floats(parse_float)
            for c in cols[1:]:
                acc = (acc + 0.0) * c.floats(parse_float)
        elif op == "-":
            if len(cols) == 1:
                acc = -cols[0].floats(to_number)
            else:
                acc = cols[0].floats(to_number) - cols[1].floats(to_number)
        elif op == "/":
            acc = cols[0].floats(to_number) / cols[1].floats(to_number)
        elif op == "%":
            acc = np.fmod(cols[0].floats(to_number), cols[1].floats(to_number))
        else:  # min, max
            is_min = op == "min"
            acc = np.full(n, np.inf if is_min else -np.inf)
            nan = np.zeros(n, bool)
            for c in cols:
                x = c.floats(to_number)
                nan |= np.isnan(x)
                better = (x < acc) if is_min else (x > acc)
                zeros = (x == 0) & (acc == 0) & (np.signbit(x) == is_min)
                acc = np.where(better | zeros, x, acc)
            acc[nan] = np.nan
    return Column(NUM, n, acc, known=known)


def _missing_col(names: list, need: Any, ctx: Context, some: bool) -> Column:
    """``missing`` / ``missing_some`` over literal fact names, once per pattern of missing facts."""
    n = ctx.n
    if not names:
        return const_col(n, missing_some_of({}, [need, []]) if some else [])
    absent = np.stack([~ctx.fact(name).known_mask() for name in names], axis=1)
    patterns, inv = np.unique(absent, axis=0, return_inverse=True)
    table = []
    for row in patterns:
        data = {name: (None if gone else 0) for name, gone in zip(names, row)}
        table.append(missing_some_of(data, [need, list(names)]) if some else missing_of(data, list(names)))
    return from_table(n, inv.ravel().astype(np.intp), table, None, UNKNOWN)


def _and_or(is_and: bool, cols: list[Column], n: int, want_value: bool) -> Column:
    truths = [c.truth() for c in cols]
    if not want_value:
        return truth_col((np.minimum if is_and else np.maximum).reduce(truths))
    decisive = FALSE if is_and else TRUE
    choice = np.full(n, -1, np.intp)
    pending = np.zeros(n, bool)
    for j, t in enumerate(truths):
        open_ = choice < 0
        choice[open_ & ~pending & (t == decisive)] = j
        pending |= (choice < 0) & (t == UNKNOWN)
    choice[(choice < 0) & ~pending] = len(cols) - 1
    agg = (np.minimum if is_and else np.maximum).reduce(truths)
    return Values(cols, n).select(choice, agg)


def _if(conds: list[np.ndarray], branches: list[Column], n: int, want_value: bool) -> Column:
    m = len(branches)
    alive = np.ones(n, bool)
    certain = np.ones(n, bool)
    choice = np.full(n, -1, np.intp)
    possible = []
    for j, t in enumerate(conds):
        possible.append(alive & (t != FALSE))
        choice[certain & (t == TRUE)] = j
        alive = alive & (t != TRUE)
        certain = certain & (t == FALSE)
    possible.append(alive)
    choice[certain] = m - 1
    truths = np.stack([b.truth() for b in branches])
    first = np.full(n, -1, np.intp)
    for j in range(m):
        first[(first < 0) & possible[j]] = j
    cols = np.arange(n)
    t_first = truths[np.clip(first, 0, m - 1), cols]
    t_agree = np.ones(n, bool)
    for j in range(m):
        t_agree &= ~possible[j] | (truths[j] == t_first)
    ut = np.where(t_agree, t_first, UNKNOWN).astype(np.uint8)
    if not want_value:
        return truth_col(np.where(choice >= 0, truths[np.clip(choice, 0, m - 1), cols], ut))
    values = Values(branches, n)
    v_agree = np.ones(n, bool)
    for j in range(m):
        v_agree &= ~possible[j] | values.same(j, first)
    chosen = np.where(choice >= 0, choice, np.where(v_agree, first, -1))
    return values.select(chosen, ut)


# ---------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------


def compile_rule(rule: Any, want_value: bool) -> Node:
    """A node function computing ``rule`` for all firms (``want_value=False``: truth values suffice)."""
    if not reads_facts(rule):
        value = apply_raw(rule, {})
        return lambda ctx: const_col(ctx.n, value)
    if isinstance(rule, LISTS):
        elems = [compile_rule(x, True) for x in rule]
        return lambda ctx: generic(ctx.n, lambda *xs: list(xs), [e(ctx) for e in elems], TRUE)
    op, values = split_op(rule)
    if op == "var":
        name = values[0]
        if len(values) < 2:
            return lambda ctx: ctx.fact(name)
        default = compile_rule(values[1], True)

        def var_default(ctx: Context) -> Column:
            fact, dflt = ctx.fact(name), default(ctx)
            if fact.known is None:
                return fact
            return Values([fact, dflt], ctx.n).select(np.where(fact.known, 0, 1), np.full(ctx.n, UNKNOWN, np.uint8))
        return var_default
    if op == "missing":
        names = list(values[0] if values and isinstance(values[0], LISTS) else values)
        return lambda ctx: _missing_col(names, None, ctx, some=False)
    if op == "missing_some":
        need, names = values[0], list(values[1])
        return lambda ctx: _missing_col(names, need, ctx, some=True)
    if op in ("and", "or"):
        kids = [compile_rule(v, want_value) for v in values]
        return lambda ctx: _and_or(op == "and", [k(ctx) for k in kids], ctx.n, want_value)
    if op in ("!", "!!"):
        kid = compile_rule(values[0], False)

        def negate(ctx: Context) -> Column:
            t = kid(ctx).truth()
            return bool_col(t == (FALSE if op == "!" else TRUE), t != UNKNOWN)
        return negate
    if op in ("if", "?:"):
        conds = [compile_rule(values[i], False) for i in range(0, len(values) - 1, 2)]
        branches = [compile_rule(values[i], want_value) for i in range(1, len(values), 2)]
        if len(values) % 2:
            branches.append(compile_rule(values[-1], want_value))
        else:
            branches.append(lambda ctx: const_col(ctx.n, None))
        return lambda ctx: _if([c(ctx).truth() for c in conds], [b(ctx) for b in branches], ctx.n, want_value)
    if op in SCOPED:
        logic = arg_at(values, 1)
        coll = compile_rule(values[0], True)
        init = compile_rule(values[2], True) if op == "reduce" and len(values) > 2 else (lambda ctx: const_col(ctx.n, None))
        return lambda ctx: generic(ctx.n, lambda c, i: scoped_op(op, c, logic, i), [coll(ctx), init(ctx)])
    if op == "log":
        kid = compile_rule(values[0], want_value)
        return kid
    args = [compile_rule(v, True) for v in values]
    if op in ("<", "<=", ">", ">="):
        return lambda ctx: _relational(op, [a(ctx) for a in args], ctx.n)
    if op in ("==", "!=", "===", "!=="):
        return lambda ctx: _equality(op, args[0](ctx), args[1](ctx), ctx.n)
    if op == "in":
        return lambda ctx: _contains(args[0](ctx), args[1](ctx), ctx.n)
    if op == "*" and len(args) == 1:
        return args[0]
    if op in ("+", "-", "*", "/", "%", "min", "max"):
        return lambda ctx: _arith(op, [a(ctx) for a in args], ctx.n)
    fn = OPS.get(op)
    if fn is None:
        raise RuleSyntaxError("", unknown_operator(op))
    return lambda ctx: generic(ctx.n, lambda *xs: fn(list(xs)), [a(ctx) for a in args])
