"""Float64 references for the self-gated family (silu, gelu, mish), from their definitions."""

from __future__ import annotations

import numpy as np
from scipy import special

from jax_activations.reference import row

__all__: list[str] = []

INF = np.inf
_BIG = 800.0  # every gate below is exactly 0 or 1 in float64 beyond |x| = 800: avoids inf * 0
_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _s(x):
    return special.expit(x)


# silu = x s(x); silu' = s(x)(1 + x s(-x)); silu'' = s(x)s(-x)(2 + x(s(-x) - s(x)))
def _silu(x):
    xc = np.maximum(x, -_BIG)
    return xc * _s(xc)


def _dsilu(x):
    xc = np.clip(x, -_BIG, _BIG)
    return _s(xc) * (1.0 + xc * _s(-xc))


def _d2silu(x):
    xc = np.clip(x, -_BIG, _BIG)
    return _s(xc) * _s(-xc) * (2.0 + xc * (_s(-xc) - _s(xc)))


# gelu = x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2; gelu' = Phi + x phi; gelu'' = phi (2 - x^2)
def _phi(x):
    return np.exp(-0.5 * x * x) / _SQRT_2PI


def _gelu(x, approximate=False):
    if approximate:
        return _gelu_tanh(x)
    xc = np.maximum(x, -60.0)
    return xc * 0.5 * special.erfc(-xc / np.sqrt(2.0))


def _dgelu(x, approximate=False):
    if approximate:
        return _dgelu_tanh(x)
    xc = np.clip(x, -60.0, 60.0)
    return 0.5 * special.erfc(-xc / np.sqrt(2.0)) + xc * _phi(xc)


def _d2gelu(x, approximate=False):
    if approximate:
        return _d2gelu_tanh(x)
    xc = np.clip(x, -60.0, 60.0)
    return _phi(xc) * (2.0 - xc * xc)


# tanh form: x (1 + tanh u) / 2 = x s(2u), u = sqrt(2/pi)(x + 0.044715 x^3)
_C = np.sqrt(2.0 / np.pi)
_A = 0.044715


def _v(x):
    return 2.0 * _C * (x + _A * x**3)


def _dv(x):
    return 2.0 * _C * (1.0 + 3.0 * _A * x * x)


def _gelu_tanh(x):
    xc = np.maximum(x, -1e5)
    return xc * _s(_v(xc))


def _dgelu_tanh(x):
    xc = np.clip(x, -1e5, 1e5)
    v = _v(xc)
    return _s(v) + xc * _dv(xc) * _s(v) * _s(-v)


def _d2gelu_tanh(x):
    xc = np.clip(x, -1e5, 1e5)
    v, dv = _v(xc), _dv(xc)
    d2v = 2.0 * _C * 6.0 * _A * xc
    return _s(v) * _s(-v) * (2.0 * dv + xc * d2v + xc * dv * dv * (_s(-v) - _s(v)))


# mish = x g, g = tanh(softplus(x)); g' = s(x) sech^2(softplus x);
# g'' = sech^2(softplus x) (s(x)s(-x) - 2 s(x)^2 g)
def _sp(x):
    return np.logaddexp(0.0, x)


def _mish(x):
    xc = np.maximum(x, -_BIG)
    return xc * np.tanh(_sp(xc))


def _sech2(x):
    e = np.exp(-2.0 * _sp(x))  # sech^2(s) = 4 e^{-2s} / (1 + e^{-2s})^2, s = softplus(x) >= 0: no overflow
    return 4.0 * e / (1.0 + e) ** 2


def _dmish(x):
    xc = np.clip(x, -_BIG, _BIG)
    return np.tanh(_sp(xc)) + xc * _s(xc) * _sech2(xc)


def _d2mish(x):
    xc = np.clip(x, -_BIG, _BIG)
    s, g = _s(xc), np.tanh(_sp(xc))
    return _sech2(xc) * (2.0 * s + xc * (s * _s(-xc) - 2.0 * s * s * g))


_LIMITS = ((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0))

row("silu", _silu, df=_dsilu, d2f=_d2silu, limits=_LIMITS)
row(
    "gelu",
    _gelu,
    df=_dgelu,
    d2f=_d2gelu,
    params=({}, {"approximate": True}),
    limits=(*_LIMITS, (-INF, {"approximate": True}, 0.0, 0.0), (INF, {"approximate": True}, INF, 1.0)),
)
row("mish", _mish, df=_dmish, d2f=_d2mish, limits=_LIMITS)
