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


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


row(
    "selu",
    lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
    df=lambda x: SELU_SCALE * _delu(x, SELU_ALPHA),
    d2f=lambda x: np.where(x > 0, 0.0, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(x, 0.0))),
    kinks=((0.0, {}, SELU_SCALE * SELU_ALPHA),),
    smooth=False,
    avoid=(0.0,),
    limits=((-INF, {}, -SELU_SCALE * SELU_ALPHA, 0.0), (INF, {}, INF, SELU_SCALE)),
)


def _celu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


row(
    "celu",
    _celu,
    df=lambda x, alpha=1.0: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0) / alpha)),
    d2f=lambda x, alpha=1.0: np.where(x > 0, 0.0, np.exp(np.minimum(x, 0.0) / alpha) / alpha),
    # float32-exact parameters (the function sees float32(alpha)); 1.75 makes x/alpha round
    params=({}, {"alpha": 0.5}, {"alpha": 2.0}, {"alpha": 1.75}),
    kinks=((0.0, {}, 1.0), (0.0, {"alpha": 2.0}, 1.0)),
    smooth=False,
    limits=((-INF, {}, -1.0, 0.0), (INF, {}, INF, 1.0), (-INF, {"alpha": 2.0}, -2.0, 0.0)),
)


row(
    "exponential",
    np.exp,
    df=np.exp,
    d2f=np.exp,
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, INF)),
)
