"""Float64 references for the learnable family (written from each paper's formula).

These rows have ``kind="learnable"``: the generic elementwise tests skip them,
and ``tests/test_learnable.py`` runs them (values and ``df/dx`` over a grid for
every parameter set in ``params``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from jax_activations.reference import row

__all__: list[str] = []

_K = "learnable"


def _prelu(x, negative_slope=0.25):
    return np.where(x >= 0, x, negative_slope * x)


def _dprelu(x, negative_slope=0.25):
    return np.where(x >= 0, 1.0, negative_slope) + 0 * x


row(
    "prelu",
    _prelu,
    df=_dprelu,
    params=({}, {"negative_slope": 0.1}, {"negative_slope": -0.7}),
    kinks=((0.0, {"negative_slope": 0.1}, 1.0),),
    smooth=False,
    avoid=(0.0,),
    kind=_K,
)


def _swish_beta(x, beta=1.0):
    return x * special.expit(beta * x)


def _dswish_beta(x, beta=1.0):
    s = special.expit(beta * x)
    return s + beta * x * s * special.expit(-beta * x)


row("swish_beta", _swish_beta, df=_dswish_beta, params=({}, {"beta": 1.702}, {"beta": 0.3}), kind=_K)


def _pelu(x, alpha=1.0, beta=1.0):
    return np.where(x >= 0, alpha / beta * x, alpha * np.expm1(np.minimum(x, 0.0) / beta))


def _dpelu(x, alpha=1.0, beta=1.0):
    return np.where(x >= 0, alpha / beta, alpha / beta * np.exp(np.minimum(x, 0.0) / beta))


row("pelu", _pelu, df=_dpelu, params=({}, {"alpha": 2.0, "beta": 0.5}, {"alpha": 0.3, "beta": 3.0}), kind=_K)


def _srelu(x, t_left=0.0, a_left=0.0, t_right=1.0, a_right=1.0):
    return np.where(
        x >= t_right, t_right + a_right * (x - t_right), np.where(x <= t_left, t_left + a_left * (x - t_left), x)
    )


def _dsrelu(x, t_left=0.0, a_left=0.0, t_right=1.0, a_right=1.0):
    return np.where(x >= t_right, a_right, np.where(x <= t_left, a_left, 1.0)) + 0 * x


row(
    "srelu",
    _srelu,
    df=_dsrelu,
    params=({}, {"t_left": -1.0, "a_left": 0.1, "t_right": 2.0, "a_right": 0.5}),
    kinks=((-1.0, {"t_left": -1.0, "a_left": 0.1, "t_right": 2.0, "a_right": 0.5}, 0.1),),
    smooth=False,
    avoid=(-1.0, 0.0, 1.0, 2.0),
    kind=_K,
)


def _apl(x, a=0.0, b=0.0):
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    return np.maximum(x, 0.0) + sum(ai * np.maximum(bi - x, 0.0) for ai, bi in zip(a, b, strict=False))


def _dapl(x, a=0.0, b=0.0):
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    return np.where(x > 0, 1.0, 0.0) - sum(ai * np.where(bi - x > 0, 1.0, 0.0) for ai, bi in zip(a, b, strict=False))


row(
    "apl",
    _apl,
    df=_dapl,
    params=({}, {"a": [0.2, -0.5], "b": [0.0, -1.0]}, {"a": 0.3, "b": 1.5}),
    smooth=False,
    avoid=(-1.0, 0.0, 1.5),
    kind=_K,
)


def _snake(x, alpha=1.0):
    return x + np.sin(alpha * x) ** 2 / alpha


def _dsnake(x, alpha=1.0):
    return 1.0 + np.sin(2.0 * alpha * x)


row("snake", _snake, df=_dsnake, params=({}, {"alpha": 0.5}, {"alpha": 3.0}), kind=_K)


def _snake_beta(x, alpha=1.0, beta=1.0):
    return x + np.sin(alpha * x) ** 2 / beta


def _dsnake_beta(x, alpha=1.0, beta=1.0):
    return 1.0 + alpha * np.sin(2.0 * alpha * x) / beta


row(
    "snake_beta",
    _snake_beta,
    df=_dsnake_beta,
    params=({}, {"alpha": 0.5, "beta": 2.0}, {"alpha": 2.0, "beta": 0.7}),
    kind=_K,
)


def _rational(x, numerator=(0.0, 1.0), denominator=(0.0,)):
    p = sum(a * x**j for j, a in enumerate(numerator))
    q = 1.0 + np.abs(sum(b * x ** (k + 1) for k, b in enumerate(denominator)))
    return p / q


def _drational(x, numerator=(0.0, 1.0), denominator=(0.0,)):
    p = sum(a * x**j for j, a in enumerate(numerator))
    dp = sum(j * a * x ** (j - 1) for j, a in enumerate(numerator) if j > 0)
    bsum = sum(b * x ** (k + 1) for k, b in enumerate(denominator))
    dbsum = sum((k + 1) * b * x**k for k, b in enumerate(denominator))
    q = 1.0 + np.abs(bsum)
    return (dp * q - p * np.sign(bsum) * dbsum) / q**2


# The first row is the PAU-style (5, 4) shape with hand-picked coefficients; rational() needs explicit ones here.
row(
    "rational",
    _rational,
    df=_drational,
    params=(
        {"numerator": [0.02, 0.5, 0.3, 0.05, -0.01, 0.002], "denominator": [0.1, 0.4, -0.02, 0.03]},
        {"numerator": [0.0, 1.0, 1.0], "denominator": [0.0, 1.0]},
        {"numerator": [1.0, -2.0, 0.5, 0.25], "denominator": [-1.5, 0.2]},
    ),
    smooth=False,
    avoid=(0.0,),
    kind=_K,
)


def _xielu(x, alpha_p=0.8, alpha_n=0.8, beta=0.5, eps=-1e-6):
    xn = np.minimum(x, eps)
    return np.where(x > 0, alpha_p * x * x + beta * x, alpha_n * (np.expm1(xn) - x) + beta * x)


def _dxielu(x, alpha_p=0.8, alpha_n=0.8, beta=0.5, eps=-1e-6):
    return np.where(
        x > 0, 2.0 * alpha_p * x + beta, alpha_n * (np.where(x < eps, np.exp(np.minimum(x, eps)), 0.0) - 1.0) + beta
    )


row(
    "xielu",
    _xielu,
    df=_dxielu,
    params=(
        {},
        {"alpha_p": 0.3, "alpha_n": 1.7, "beta": 0.5, "eps": -1e-6},
        {"alpha_p": 1.2, "alpha_n": 0.6, "beta": 0.2, "eps": 0.0},
    ),
    smooth=False,
    avoid=(0.0,),
    kind=_K,
)

_S5 = 1.0 / np.sqrt(1.25)


def _star_relu(x, scale=_S5, bias=-0.5 * _S5):
    return scale * np.maximum(x, 0.0) ** 2 + bias


def _dstar_relu(x, scale=_S5, bias=-0.5 * _S5):
    return 2.0 * scale * np.maximum(x, 0.0)


row("star_relu", _star_relu, df=_dstar_relu, params=({}, {"scale": 1.5, "bias": 0.25}), kind=_K)


def _acon_c(x, p1=1.0, p2=0.0, beta=1.0):
    d = (p1 - p2) * x
    return d * special.expit(beta * d) + p2 * x


def _dacon_c(x, p1=1.0, p2=0.0, beta=1.0):
    d = p1 - p2
    u = beta * d * x
    return d * (special.expit(u) + u * special.expit(u) * special.expit(-u)) + p2


row(
    "acon_c",
    _acon_c,
    df=_dacon_c,
    params=({}, {"p1": 1.0, "p2": 0.25, "beta": 2.0}, {"p1": -0.5, "p2": 0.8, "beta": 0.7}),
    kind=_K,
)


def _dyt(x, alpha=0.5, weight=1.0, bias=0.0):
    return weight * np.tanh(alpha * x) + bias


def _ddyt(x, alpha=0.5, weight=1.0, bias=0.0):
    return weight * alpha / np.cosh(alpha * x) ** 2


row("dyt", _dyt, df=_ddyt, params=({}, {"alpha": 1.3, "weight": 0.7, "bias": -0.2}), kind=_K)


def _dice(x, alpha=0.0, mean=0.0, var=1.0, epsilon=1e-8):
    p = special.expit((x - mean) / np.sqrt(var + epsilon))
    return x * (alpha + (1.0 - alpha) * p)


def _ddice(x, alpha=0.0, mean=0.0, var=1.0, epsilon=1e-8):
    s = np.sqrt(var + epsilon)
    u = (x - mean) / s
    p = special.expit(u)
    return alpha + (1.0 - alpha) * (p + x * p * special.expit(-u) / s)


row("dice", _dice, df=_ddice, params=({}, {"alpha": 0.1, "mean": 0.3, "var": 2.0, "epsilon": 1e-8}), kind=_K)
