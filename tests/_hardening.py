"""Shared pieces of the hardening tests (sharding, fuzz, invariants, persistence).

How to call any registered activation generically: which hyperparameters it needs,
which axis arguments it takes, and how its kind ("elementwise", "axis",
"learnable", "random", "combinator") is exercised.  Nothing here imports a
device-count-dependent piece of JAX, so the multi-device subprocess can use it too.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

import jax_activations as ja
from jax_activations.reference import ROWS

EMPTY = inspect.Parameter.empty

# Kinds whose output has the input's shape and whose value at an element depends
# only on that element (given the hyperparameters).
POINTWISE_KINDS = ("elementwise", "learnable", "random")


def builtin_specs(*kinds: str) -> list[ja.Spec]:
    """Built-in specs of the given kinds (all built-ins when no kind is named)."""
    return [s for s in ja.specs() if s.builtin and (not kinds or s.kind in kinds)]


def builtin_names(*kinds: str) -> list[str]:
    return [s.name for s in builtin_specs(*kinds)]


def call_kwargs(spec: ja.Spec) -> dict[str, Any]:
    """Hyperparameters that make ``spec.fn(x, **kw)`` callable on a ``(..., C)`` input.

    The reference row's first parameter set (``{}``: the defaults; the explicit
    coefficients where the defaults are computed, as for ``rational``), and for
    required parameters the first parameter set of the row that names them, else 0.5.
    """
    row = ROWS.get(spec.name)
    out = dict(row.params[0]) if row is not None and row.params else {}
    required = [k for k, v in spec.params.items() if v is EMPTY and k not in out]
    if not required:
        return out
    for params in row.params if row is not None else ():
        if all(k in params for k in required):
            return {**out, **{k: params[k] for k in required}}
    return {**out, **dict.fromkeys(required, 0.5)}


def numeric_params(spec: ja.Spec) -> list[str]:
    """Hyperparameters that take numbers (not static, not keys, not flags)."""
    out = []
    for k, v in spec.params.items():
        if k in spec.static or k in ("key", "axis", "where", "deterministic"):
            continue
        if isinstance(v, bool) or isinstance(v, str):
            continue
        if v is EMPTY or v is None or isinstance(v, (int, float)):
            out.append(k)
    return out


def has_axis(spec: ja.Spec) -> bool:
    return "axis" in spec.params


def reference(spec: ja.Spec, x: np.ndarray, **kw: Any) -> np.ndarray | None:
    """The float64 reference value, or None when the table has no row for it."""
    row = ROWS.get(spec.name)
    if row is None:
        return None
    with np.errstate(all="ignore"):
        return np.asarray(row.f(np.asarray(x, dtype=np.float64), **kw), dtype=np.float64)
