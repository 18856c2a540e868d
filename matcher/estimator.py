"""scikit-learn's estimator protocol, without importing scikit-learn.

:class:`MatchEngine` and the text vectorizers follow scikit-learn's contract (parameters
stored by ``__init__``, ``get_params``/``set_params``, ``fit`` returns ``self``, fitted
state ending in ``_``), but importing scikit-learn costs more than a second here (it
imports scipy.stats, pandas and more), and ``matcher rank --catalog DIR`` with a cached
engine pays every import of the engine's classes when it unpickles them. So they inherit
from :class:`Estimator` below, which implements that contract as
``sklearn.base.BaseEstimator`` does (the same parameter names, nested ``a__b`` keys and
the same changed-only ``repr``), and answers ``__sklearn_tags__`` by importing
scikit-learn only when scikit-learn itself asks: ``sklearn.base.clone``, pipelines and
``get_tags`` work on them (a test checks it).

>>> class Scaler(Estimator):
...     def __init__(self, factor=1.0, name="x"):
...         self.factor = factor
...         self.name = name
>>> s = Scaler(factor=2.0)
>>> s
Scaler(factor=2.0)
>>> s.set_params(name="y").get_params()
{'factor': 2.0, 'name': 'y'}
>>> s.set_params(speed=3)
Traceback (most recent call last):
...
matcher.errors.ParameterError: speed is not a parameter of Scaler: expected one of factor, name, got speed=3
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from matcher.errors import ParameterError

__all__ = ["Estimator", "TransformerMixin"]


class Estimator:
    """Base class of the package's estimators: ``get_params``, ``set_params`` and ``repr``
    as in ``sklearn.base.BaseEstimator``, without importing scikit-learn."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        params = [p for p in inspect.signature(init).parameters.values()
                  if p.name != "self" and p.kind != p.VAR_KEYWORD]
        for p in params:
            if p.kind == p.VAR_POSITIONAL:
                raise TypeError(f"{cls.__name__}.__init__ must name its parameters (no *args), got {init}")
        return sorted(p.name for p in params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The estimator's parameters (with ``deep``, those of estimators among them as ``name__param``)."""
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params: Any) -> "Estimator":
        """Set parameters (``name__param`` for a nested estimator's); returns ``self``."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ParameterError(f"{name} is not a parameter of {type(self).__name__}: expected one of "
                                     f"{', '.join(self._get_param_names())}, got {key}={value!r}")
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {k: p.default for k, p in inspect.signature(type(self).__init__).parameters.items()}
        shown = [f"{k}={v!r}" for k, v in self.get_params(deep=False).items() if _changed(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.pop("_sklearn_version", None)  # engines pickled when these classes were scikit-learn's
        self.__dict__.update(state)

    def __sklearn_tags__(self):
        # scikit-learn asks for these (get_tags, pipelines), so it is imported by then
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False), transformer_tags=None,
                    regressor_tags=None, classifier_tags=None)


class TransformerMixin:
    """``fit_transform`` and the transformer tags, as ``sklearn.base.TransformerMixin`` (before :class:`Estimator`
    in the bases)."""

    def fit_transform(self, X, y=None, **fit_params):
        """``fit(X, y, **fit_params).transform(X)``."""
        return self.fit(X, y, **fit_params).transform(X)

    def __sklearn_tags__(self):
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags()
        return tags


def _changed(value: Any, default: Any) -> bool:
    if default is inspect.Parameter.empty:
        return True
    if isinstance(value, float) and isinstance(default, float) and math.isnan(value) and math.isnan(default):
        return False
    return repr(value) != repr(default)
