"""JsonLogic for eligibility rules: a standard evaluator, static checks, and a
three-valued evaluator that runs over the numpy columns of many firms at once.

There are four parts:

* :func:`apply` is a plain scalar JsonLogic evaluator with the semantics of the
  reference implementation (json-logic-js, jsonlogic.com). It passes the whole
  official conformance suite.
* :func:`check` and :func:`check_program` validate an eligibility rule when the
  catalog loads. They report unknown operators, unknown facts, wrong argument
  counts and non-JSON values, each with its path inside the rule
  (``logic.and[1].<=[0]``).
* :func:`evaluate_one` evaluates a rule for one firm, using Kleene's
  three-valued logic when some facts are missing.
* :class:`LogicRule` compiles a rule once into a tree of vectorized node
  functions. It evaluates the rule for every firm of a
  :class:`~rules.facts.FirmFacts` and gives exactly the values of
  :func:`evaluate_one`. It can also explain the result in plain words.

The package's modules follow those parts: :mod:`~rules.jsonlogic.values` (JavaScript
values), :mod:`~rules.jsonlogic.standard` (:func:`apply`), :mod:`~rules.jsonlogic.checks`
(:func:`check`), :mod:`~rules.jsonlogic.three_valued` (:func:`evaluate_one`, one scalar
evaluator), :mod:`~rules.jsonlogic.columns` and :mod:`~rules.jsonlogic.vectorized` (the
numpy path), :mod:`~rules.jsonlogic.words` (:func:`infix`) and
:mod:`~rules.jsonlogic.rule` (:class:`LogicRule`).

>>> rule = {"or": [{"<=": [{"var": "employees"}, 300]},
...                {"<=": [{"var": "capital_jpy"}, 300000000]}]}
>>> apply(rule, {"employees": 400, "capital_jpy": 10000000})
True
>>> from rules.kleene import TRUE
>>> evaluate_one(rule, {"employees": 25, "capital_jpy": None}) == TRUE
True
>>> infix(rule)
'employees <= 300 or capital_jpy <= 300,000,000'

Standard semantics (:func:`apply`)
----------------------------------
Values are JSON values as Python objects. Numbers follow JavaScript: every number
is an IEEE double, and integral results come back as ``int``. Truthiness follows
JsonLogic: ``false``, ``null``, ``0``, ``NaN``, ``""`` and ``[]`` are falsy, and
everything else is truthy, including ``"0"`` and ``{}``. ``==`` and ``!=`` use
JavaScript's loose equality with its type coercions. ``===`` and ``!==`` compare
type and value, and arrays only by identity. ``<``, ``<=``, ``>`` and ``>=`` use
JavaScript's relational comparison: two strings compare by UTF-16 code units, and
anything else compares as numbers (NaN compares false). ``+`` and ``*`` read their
arguments with ``parseFloat``. ``-``, ``/``, ``%``, ``min`` and ``max`` use
``Number()``. ``cat`` and ``substr`` use JavaScript's number formatting
(``1.0`` → ``"1"``). ``and`` and ``or`` return the value that decides the
result, and ``if``/``?:`` accept ``else if`` chains. Arguments that are not given
act as JavaScript's ``undefined``. ``undefined`` is returned as ``None``.

Left out, with the reasons:

* ``method``: it calls arbitrary JavaScript methods of a value, which has no
  meaning outside JavaScript and is not in the conformance suite.
* Dotted custom operators (``"Math.abs"``): json-logic-js only uses them for
  operations added by the host. No operations are added here.

One difference from the json-logic-js source: the initial value of ``reduce`` is
evaluated like any other argument. The conformance suite expects this.
``log`` writes to the :mod:`logging` logger ``rules.logic`` at INFO level and
returns its argument.

Eligibility semantics (:func:`evaluate_one`, :class:`LogicRule`)
---------------------------------------------------------------
A firm's facts are a dict of :data:`~rules.facts.FACT_TYPES` in which ``None``
means "not given". The list ``needs`` is read in the canonical order of
:func:`profiles.needs.need_ids`, because it is a set. Every subexpression has a
*three-valued value*: either a known JSON value, or an unknown value whose
truthiness may still be known. The unknown values are ``Unknown(UNKNOWN)``,
``Unknown(TRUE)`` and ``Unknown(FALSE)``.

1. ``{"var": fact}`` at the top level (outside a ``map``/``filter``/... body) is
   the fact's value. A fact that is ``None`` or absent gives ``Unknown(UNKNOWN)``,
   or the default ``{"var": [fact, default]}`` when one is given.
2. Every comparison (``== != === !== < <= > >= in``), arithmetic operator
   (``+ - * / % min max``) and other operator (``cat substr merge`` and the
   collection operators) whose operands include an unknown value is
   ``Unknown(UNKNOWN)``. This holds even when the known operands alone would
   decide a 3-argument ``<``. A literal array with an unknown element is
   ``Unknown(TRUE)``, because a non-empty array is truthy. ``map``, ``filter``,
   ``reduce``, ``all``, ``none`` and ``some`` are unknown when their collection
   (or the initial value of ``reduce``) is unknown. Otherwise their body is
   evaluated with :func:`apply` over the known items.
3. ``!`` and ``!!`` apply Kleene NOT to the truth value of their operand. Their
   result is a known boolean unless that truth value is UNKNOWN.
4. ``and`` and ``or`` run left to right. An operand whose truth value decides the
   result (falsy for ``and``, truthy for ``or``) is returned when it comes before
   any operand whose truth value is UNKNOWN, just as in JsonLogic. If no operand
   decides and none is UNKNOWN, the last one is returned. Otherwise the result is
   an unknown value whose truth value is the Kleene AND (minimum) or OR (maximum)
   of all the operands. So ``and`` with one FALSE part is FALSE even if another
   part is UNKNOWN.
5. ``if`` and ``?:`` collect the branches that are still possible. A branch is
   possible when its condition is TRUE or UNKNOWN and no earlier condition is
   TRUE; the ``else`` (or an implicit ``null``) is possible when no condition is
   TRUE. With one possible branch, the result is that branch's value. With
   several, the result is their common value if all are known and the same
   (numbers by value, strings and booleans by value, arrays by identity).
   Otherwise it is an unknown value that is truthy or falsy when all the
   branches agree on that, and UNKNOWN when they do not.
6. ``missing`` and ``missing_some`` behave exactly as in JsonLogic. They are never
   unknown.
7. At the top level, a known value becomes TRUE or FALSE by JsonLogic truthiness,
   and an unknown value becomes its truth value.

For a firm with every fact given, no value is ever unknown, and
``evaluate_one(rule, facts) == TRUE`` exactly when ``apply(rule, facts)`` is truthy.

Vectorization
-------------
:class:`LogicRule` never loops over firms in Python. Each node returns a column:

* a constant (subtrees that read no fact are folded at compile time);
* a float array for numbers;
* a boolean array;
* a *categorical* column (integer codes into a small table of values) for the
  string facts, which come from the code columns of :class:`FirmFacts` through
  cached tables;
* the ``needs`` bitmask.

Every column has a mask of known entries and the truth values of the unknown
ones. Numeric comparisons, arithmetic, Kleene ``and``/``or``/``!``/``!!``/``if``,
value selection and ``{"in": [need, {"var": "needs"}]}`` (a bit test) are numpy
expressions. Every other operator (string comparisons, ``in`` on lists and
strings, ``cat``, ``substr``, ``merge``, ``missing``, ``missing_some``, ``map``,
``filter``, ``reduce``, ``all``, ``none``, ``some``) runs the scalar operator once
per *distinct combination* of its input values, and never once per firm. A
string fact has at most a few thousand distinct values, so no operator needs a
per-firm fallback to :func:`evaluate_one`.
"""

from rules.jsonlogic.checks import check, check_program
from rules.jsonlogic.rule import LogicRule
from rules.jsonlogic.standard import OPERATORS, apply
from rules.jsonlogic.three_valued import Unknown, compile_one, evaluate_one, one_firm_facts
from rules.jsonlogic.values import UNDEFINED, truthy
from rules.jsonlogic.words import infix

__all__ = [
    "compile_one",
    "one_firm_facts",
    "OPERATORS",
    "UNDEFINED",
    "Unknown",
    "LogicRule",
    "apply",
    "check",
    "check_program",
    "evaluate_one",
    "infix",
    "truthy",
]
