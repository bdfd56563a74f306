"""Float64 reference formulas, written from each activation's definition.

These are independent of the implementation: plain NumPy/SciPy in float64 (with
the stable forms float64 itself needs, e.g. ``log1p``/``expm1``/``erfc``).  The
tests, ``benchmarks/accuracy.py`` and ``python -m jax_activations check`` all
read this table.  Every registered built-in activation must have a row (a test
fails otherwise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["ROWS", "Row", "row"]


@dataclasses.dataclass(frozen=True)
class Row:
    """One activation's float64 reference.

    Attributes:
      name: the registered name.
      f: ``f(x, **params) -> float64 array``. For ``axis`` activations it takes
        ``axis=`` too and works on whole arrays.
      df: elementwise derivative ``df/dx`` (``None`` for axis activations).
      d2f: elementwise second derivative, for the smooth ones (else ``None``).
      params: parameter sets to test; the first one is the defaults (``{}``).
      kinks: ``(x, params, expected derivative)`` at each non-smooth point,
        stating the convention.
      smooth: infinitely differentiable everywhere (``check_grads`` anywhere).
      avoid: points near which finite differences are meaningless (kinks).
      limits: ``(x, params, expected value, expected derivative)`` at +-inf etc.
      args: extra positional arrays the function needs (learnable parameters),
        as ``name -> array factory(shape)``.
    """

    name: str
    f: Callable[..., np.ndarray]
    df: Callable[..., np.ndarray] | None = None
    d2f: Callable[..., np.ndarray] | None = None
    params: tuple[Mapping[str, Any], ...] = ({},)
    kinks: tuple[tuple[float, Mapping[str, Any], float], ...] = ()
    smooth: bool = True
    avoid: tuple[float, ...] = ()
    limits: tuple[tuple[float, Mapping[str, Any], float, float], ...] = ()
    kind: str = "elementwise"


ROWS: dict[str, Row] = {}


def row(name: str, f: Callable[..., np.ndarray], **kw: Any) -> Row:
    """Add a row to :data:`ROWS` (used by the family modules)."""
    if name in ROWS:
        raise ValueError(f"reference row {name!r} defined twice")
    r = Row(name=name, f=f, **kw)
    ROWS[name] = r
    return r


# the family modules add their rows on import
from jax_activations.reference import (  # noqa: E402
    _exponential,  # noqa: F401
    _learnable,  # noqa: F401
    _normalizers,  # noqa: F401
    _rectifiers,  # noqa: F401
    _selfgated,  # noqa: F401
    _sigmoidal,  # noqa: F401
)
