"""The accuracy bars the suite enforces (float32 ULP), shared with the harness."""

from __future__ import annotations

import jax
import numpy as np

from jax_activations.reference.ulp import grid as _grid

VALUE_BAR = 4.0
GRAD_BAR = 8.0
SECOND_BAR = 64.0
HALF_BAR = 1.0

# Where XLA's own primitive is worse on a backend, the bar is that primitive's
# error plus 1 ULP (XLA's CPU tanh is about 4.3 ULP).
PRIMITIVE_ERROR = {"cpu": {"tanh": 4.3}}


def value_bar(name: str) -> float:
    prim = PRIMITIVE_ERROR.get(jax.default_backend(), {})
    uses_tanh = name in {"tanh", "tanh_shrink", "dyt"}
    return max(VALUE_BAR, prim.get("tanh", 0.0) + 1.0) if uses_tanh else VALUE_BAR


def reduced_grid() -> np.ndarray:
    """The reduced grid the suite uses: tails, +-inf, a fine linear middle."""
    return _grid(n_log=1200, n_lin=800)
