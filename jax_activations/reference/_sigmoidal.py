"""Float64 references for the sigmoidal family."""

from __future__ import annotations

import numpy as np
from scipy import special

from jax_activations.reference import row

__all__: list[str] = []

INF = np.inf
expit = special.expit


def _dsig(x):
    return expit(x) * expit(-x)


# sigmoid: s(x) = 1/(1+e^-x); s' = s(x)s(-x); s'' = s'(x)(1 - 2s(x)) = -s'(x) tanh(x/2)
row(
    "sigmoid",
    expit,
    df=_dsig,
    d2f=lambda x: -_dsig(x) * np.tanh(0.5 * x),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, 1.0, 0.0)),
)

# log_sigmoid = -log(1 + e^-x); derivative s(-x); second -s(x)s(-x)
row(
    "log_sigmoid",
    lambda x: -np.logaddexp(0.0, -x),
    df=lambda x: expit(-x),
    d2f=lambda x: -_dsig(x),
    limits=((-INF, {}, -INF, 1.0), (INF, {}, 0.0, 0.0)),
)


def _sech2(x):
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(x) ** 2


row(
    "tanh",
    np.tanh,
    df=_sech2,
    d2f=lambda x: -2.0 * np.tanh(x) * _sech2(x),
    limits=((-INF, {}, -1.0, 0.0), (INF, {}, 1.0, 0.0)),
)


def _tanh_shrink(x):
    # x - tanh(x) cancels in float64 too for small |x|: Taylor series there (next term < 1e-12 relative at 0.02)
    x2 = x * x
    series = x * x2 * (1 / 3 - x2 * (2 / 15 - x2 * (17 / 315 - x2 * (62 / 2835))))
    with np.errstate(invalid="ignore"):
        direct = x - np.tanh(x)
    return np.where(np.abs(x) < 0.02, series, direct)


row(
    "tanh_shrink",
    _tanh_shrink,
    df=lambda x: np.tanh(x) ** 2,
    d2f=lambda x: 2.0 * np.tanh(x) * _sech2(x),
    limits=((-INF, {}, -INF, 1.0), (INF, {}, INF, 1.0)),
)


def _softsign(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x), np.sign(x), x / (1.0 + np.abs(x)))


row(
    "softsign",
    _softsign,
    df=lambda x: 1.0 / (1.0 + np.abs(x)) ** 2,
    # not C2: jumps from 2 to -2 at 0; sign(0) = 0 gives the convention softsign''(0) = 0
    d2f=lambda x: -2.0 * np.sign(x) / (1.0 + np.abs(x)) ** 3,
    kinks=((0.0, {}, 1.0),),
    smooth=False,
    limits=((-INF, {}, -1.0, 0.0), (INF, {}, 1.0, 0.0)),
)


# softplus(x; beta) = log(1 + e^{beta x}) / beta; derivative s(beta x); second beta s(bx) s(-bx)
row(
    "softplus",
    lambda x, beta=1.0: np.logaddexp(0.0, beta * x) / beta,
    df=lambda x, beta=1.0: expit(beta * x),
    d2f=lambda x, beta=1.0: beta * _dsig(beta * x),
    # beta > 1 is tested in tests/test_sigmoidal.py: the derivative comes from the output, which is flushed
    # to 0 below 1.2e-38 on CPU while the derivative (beta times larger) may still be normal
    # float32-exact parameters: the function sees float32(beta); 0.75 still makes beta*x round
    params=({}, {"beta": 0.5}, {"beta": 0.75}, {"beta": 2.0**-10}),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0), (-INF, {"beta": 2.0}, 0.0, 0.0), (INF, {"beta": 2.0}, INF, 1.0)),
)


def _sparse_plus(x):
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, x, 0.25 * (x + 1.0) ** 2))


row(
    "sparse_plus",
    _sparse_plus,
    df=lambda x: np.where(x <= -1.0, 0.0, np.where(x >= 1.0, 1.0, 0.5 * (x + 1.0))),
    d2f=lambda x: np.where(np.abs(x) < 1.0, 0.5, 0.0),
    kinks=((-1.0, {}, 0.0), (1.0, {}, 1.0)),
    smooth=False,
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0)),
)


def _sq_root(x, b):
    return np.sqrt(x * x + b)  # float64: x^2 <= 1.2e77, no overflow for float32 inputs


def _squareplus(x, b=4.0):
    s = _sq_root(x, b)
    with np.errstate(all="ignore"):
        # x < 0: (x + s)/2 = b / (2 (s - x)), the stable form
        return np.where(x >= 0, 0.5 * (x + s), b / (2.0 * (s - x)))


def _dsquareplus(x, b=4.0):
    s = _sq_root(x, b)
    with np.errstate(all="ignore"):
        pos = np.where(np.isinf(x), 1.0, 0.5 * (1.0 + x / s))
        return np.where(x >= 0, pos, b / (2.0 * s * (s - x)))


row(
    "squareplus",
    _squareplus,
    df=_dsquareplus,
    d2f=lambda x, b=4.0: b / (2.0 * _sq_root(x, b) ** 3),
    params=({}, {"b": 1.0}, {"b": 0.3}, {"b": 1e6}),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0)),
)
