"""Float64 references for the exponential family."""

from __future__ import annotations

import numpy as np

from jax_activations.reference import row

INF = np.inf


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _delu(x, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


row(
    "elu",
    _elu,
    df=_delu,
    d2f=lambda x, alpha=1.0: np.where(x > 0, 0.0, alpha * np.exp(np.minimum(x, 0.0))),
    params=({}, {"alpha": 0.5}, {"alpha": 2.0}),
    kinks=((0.0, {}, 1.0), (0.0, {"alpha": 0.5}, 0.5)),
    smooth=False,
    avoid=(0.0,),
    limits=((-INF, {}, -1.0, 0.0), (INF, {}, INF, 1.0)),
)
