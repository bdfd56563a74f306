"""The self-gated family: silu (swish), gelu and mish, each ``x`` times a gate of ``x``.

Every function here is written with explicit first and second derivatives
(attached with :func:`jax_activations._numerics.derivative`), so that

* values and gradients stay within a few float32 ULP over the whole range: in the
  far tails the gate underflows while ``x * gate`` is still a normal number, so
  the exp argument is shifted there and the scale applied last (see
  :func:`_exp_neg_shifted`, and :func:`_exp_neg` for the second derivatives);
* the forward pass and the first derivative cost what jax.nn's do in transcendentals
  (one exp, one divide) with a few extra selects: no patches evaluated for every element
  (the zeros of the derivatives are factored out of the formulas instead);
* ``+-inf`` inputs give the finite limits (``silu(-inf) = 0``, ``silu'(+inf) = 1``)
  instead of ``inf * 0 = NaN``;
* reverse mode saves only ``x`` (one activation-sized residual).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jax_activations._numerics import derivative
from jax_activations._registry import activation

__all__ = ["gelu", "mish", "silu"]

# e^{-a} = ts * scale with ts = e^{SHIFT - a} when a > 32: ts stays normal where e^{-a}
# itself underflows (float32 flushes below 1.18e-38), so products like x * e^{-a} are
# formed first and scaled last.  float32(e^-37) is within 0.01 ULP of e^-37.
_SHIFT = 37.0
_SCALE = math.exp(-_SHIFT)
_CLAMP = 200.0  # e^{-200} == 0 in float32: clamping x here keeps inf * 0 out of the tails


def _exp_neg(a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(ts, scale)`` with ``e^{-a} = ts * scale`` for ``a >= 0`` (see ``_SHIFT``)."""
    big = a > 32.0
    ts = jnp.exp(jnp.where(big, _SHIFT - a, -a))
    return ts, jnp.where(big, _SCALE, 1.0).astype(a.dtype)


def _exp_neg_shifted(v: jax.Array, below: float = -80.0, shift: float = _SHIFT) -> tuple[jax.Array, jax.Array]:
    """``(t, m)`` with ``e^{-v} = t / m``: ``m = e^{-shift}`` below ``v = below`` (else 1).

    One exp, one compare and two selects (the cheap form for the forward pass and first
    derivative); ``-v - shift`` is exact for ``v < below`` (integer shift, ``|v| >= 32``).
    With the defaults ``1 + t = t`` in the tail, so ``1 / (1 + t) = s(v) / m`` stays normal
    where ``s(v)`` underflows and the caller multiplies by ``m`` last.  In general
    ``s(v) = m / (m + t)`` exactly (``1 + e^{-v} = (m + t) / m``).
    """
    tail = v < below
    t = jnp.exp(jnp.where(tail, -v - shift, -v))
    return t, jnp.where(tail, math.exp(-shift), 1.0).astype(v.dtype)


def _d1_shift(x: jax.Array) -> tuple[float, float]:
    """``(below, shift)`` for first derivatives ``m (m + t u) / (m + t)^2``: ``(m + t)^2`` must not overflow.

    float32: ``t <= e^{44}`` above ``v = -40`` and ``e^{-v - 70} <= e^{43}`` down to the clamp
    ``v >= -113``; float64 likewise with ``e^{-400}``.
    """
    return (-40.0, 400.0) if x.dtype == jnp.float64 else (-40.0, 70.0)


def _gate(v: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """Sigmoid pieces of ``v``: ``p = s(|v|)``, ``q = s(-|v|)``, scaled ``q = qs * scale``."""
    ts, scale = _exp_neg(jnp.abs(v))
    p = 1.0 / (1.0 + ts * scale)  # s(|v|) in [1/2, 1]
    qs = ts * p  # s(-|v|) / scale: no underflow in the tail
    return p, qs, qs * scale, scale


def _horner(coefs: tuple[float, ...], t: jax.Array) -> jax.Array:
    acc = jnp.full_like(t, coefs[-1])
    for c in coefs[-2::-1]:
        acc = acc * t + c
    return acc


# Near a zero x0 of f' or f'' the general formulas cancel (the result is far smaller
# than the terms), so there f(x) = d P(d) with d = (x - x0_hi) - x0_lo: x - x0_hi is
# exact there (Sterbenz) and P is fitted (float64, Chebyshev, within 2e-10 relative)
# to f(x0 + d) / d for |d| <= 1/4.  Each entry: (x0_hi, x0_lo, coefficients of P).
_ROOT_HALF_WIDTH = 0.24
_Root = tuple[float, float, tuple[float, ...]]


def _near_root(x: jax.Array, general: jax.Array, root: _Root) -> jax.Array:
    hi, lo, coefs = root
    dh = x - hi
    near = jnp.abs(dh) < _ROOT_HALF_WIDTH
    d = jnp.where(near, dh, 0.0) - lo
    return jnp.where(near, d * _horner(coefs, d), general)


# --------------------------------------------------------------------------- #
# silu = x * s(x);  silu' = s(x)(1 + x s(-x));  silu'' = s s(-x)(2 - |x|(s(|x|) - s(-|x|)))
# --------------------------------------------------------------------------- #


def _silu_d2(x: jax.Array) -> jax.Array:
    p, qs, q, scale = _gate(x)
    ac = jnp.minimum(jnp.abs(x), _CLAMP)
    return (qs * p * (2.0 - ac * (p - q))) * scale  # even in x; scaled product, then scale


@derivative(_silu_d2)
def _silu_d1(x: jax.Array) -> jax.Array:
    lim = 700.0 if x.dtype == jnp.float64 else 110.0  # silu' is 0 / 1 beyond (to the dtype's precision)
    xc = jnp.clip(x, -lim, lim)  # keeps t (1 + x) and d^2 finite and inf * 0 out
    t, m = _exp_neg_shifted(xc, *_d1_shift(x))
    d = m + t
    # s (1 + x s(-x)) = (1 + e^{-x} (1 + x)) / (1 + e^{-x})^2 = m (d + t x) / d^2: one divide, one fma
    return ((d + t * xc) / (d * d)) * m


@derivative(_silu_d1)
def _silu(x: jax.Array) -> jax.Array:
    t, m = _exp_neg_shifted(x)
    # x / (1 + e^{-x}), scaled by m last: no exp underflow near x = -87..-92; the max keeps -inf / inf out
    return (jnp.maximum(x, -1e4) / (1.0 + t)) * m


@activation(
    "silu",
    aliases=("swish",),
    family="selfgated",
    formula="x * sigmoid(x)",
    kinks="none (smooth)",
)
def silu(x: jax.Array) -> jax.Array:
    r"""Sigmoid linear unit (swish with beta = 1).

    .. math::
      \mathrm{silu}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}, \qquad
      \mathrm{silu}'(x) = \sigma(x)\,\bigl(1 + x\,\sigma(-x)\bigr)

    Smooth everywhere. Values and derivatives stay accurate where
    :math:`e^{x}` underflows (``x`` near -87 to -92, where ``jax.nn.silu`` loses up
    to 84 ULP), and the limits are finite: ``silu(-inf) = 0``,
    ``silu'(-inf) = 0``, ``silu'(inf) = 1`` (jax.nn, Keras and PyTorch give NaN
    there). The backward pass saves only ``x``.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.silu(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.26894143,  0.        ,  0.7310586 ], dtype=float32)

    References:
      Hendrycks and Gimpel, "Gaussian Error Linear Units (GELUs)", 2016.
      https://arxiv.org/abs/1606.08415 ;
      Elfwing, Uchibe and Doya, "Sigmoid-Weighted Linear Units for Neural Network
      Function Approximation in Reinforcement Learning", 2017.
      https://arxiv.org/abs/1702.03118 ;
      Ramachandran, Zoph and Le, "Searching for Activation Functions", 2017.
      https://arxiv.org/abs/1710.05941
    """
    return _silu(x)


# --------------------------------------------------------------------------- #
# gelu, exact: x * Phi(x) with Phi the standard normal CDF
# --------------------------------------------------------------------------- #

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_CLAMP = 20.0  # phi(20) = e^{-200} / sqrt(2 pi) == 0 in float32
_GELU_ZMAX = 14.0  # e^{-z^2/2} is 0 in float32 beyond: keeps the rationals off inf / inf

# Float32 rationals in z = |x| on [0, 14], fitted in float64 to the definitions (scipy's erfcx;
# Lawson-weighted linearized least squares in relative error; all coefficients positive, so
# Horner in z >= 0 does not cancel).  With 1 - Phi(z) = phi(z) R(z) (R the Mills ratio):
# R(z) / sqrt(2 pi) = e^{z^2/2} (1 - Phi(z)) = P(z) / Q(z), within 6e-9 relative;
_MILLS_P = (0.5000000027478991, 0.43725715325069414, 0.18246617103920065, 0.040373931449452886, 0.004077787585545223)
_MILLS_Q = (1.0, 1.672399260788413, 1.199309379789112, 0.4674404763143648, 0.10120924500924047, 0.010221368983017232)
# (R(z) - z) / sqrt(2 pi) = (z0 - z) N(z) / D(z), within 8e-9 relative, z0 = 0.75179... its zero
# (the minimum of gelu at x = -z0), split as z0_hi + z0_lo so that z0 - z is exact near it.
_D1_Z0 = (0.7517915368080139, -1.2114449665645566e-08)
_D1_N = (0.6650779901481756, 0.7519313077865236, 0.37632122566523896, 0.09500991968835965, 0.01033114178214295)
_D1_D = (1.0, 1.396203834096576, 0.7899917265195258, 0.21869375439023603, 0.0258961667854124)


def _phi_cdf(x: jax.Array) -> jax.Array:  # float64 only: the fits below are float32-accurate
    return 0.5 * jax.lax.erfc(-x * math.sqrt(0.5))


def _gelu_d2(x: jax.Array) -> jax.Array:
    xc = jnp.clip(x, -_GELU_CLAMP, _GELU_CLAMP)
    ts, scale = _exp_neg(0.5 * (xc * xc))
    return (ts * _INV_SQRT_2PI * (2.0 - xc * xc)) * scale  # phi(x)(2 - x^2), scaled in the tails


@derivative(_gelu_d2)
def _gelu_d1(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.float64:
        xc = jnp.clip(x, -40.0, 40.0)
        return _phi_cdf(x) + xc * jnp.exp(-0.5 * xc * xc) * _INV_SQRT_2PI
    # Phi(x) + x phi(x) = phi(x) (R(z) - z) for x < 0 and 1 - phi(x) (R(z) - z) for x >= 0, z = |x|
    z = jnp.minimum(jnp.abs(x), _GELU_ZMAX)
    e2 = jnp.exp(-0.25 * (x * x))  # e^{-x^2/2} = e2 * e2: no underflow where the result is still normal
    g = ((_D1_Z0[0] - z) + _D1_Z0[1]) * (_horner(_D1_N, z) / _horner(_D1_D, z))  # the zero factored out
    w = (e2 * g) * e2
    return jnp.where(x < 0, w, 1.0 - w)


@derivative(_gelu_d1)
def _gelu_exact(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.float64:
        xc = jnp.maximum(x, -40.0)  # Phi(-40) = 0 in float64: -inf * 0 would be NaN
        return xc * _phi_cdf(xc)
    # x Phi(x) = max(x, 0) - |x| (1 - Phi(|x|)) = max(x, 0) - e^{-x^2/2} z P(z) / Q(z): one exp, one divide;
    # no 1 + erf (cancels for x < 0); the x^2 rounding stays inside one input ULP's change
    z = jnp.minimum(jnp.abs(x), _GELU_ZMAX)
    return jnp.maximum(x, 0.0) - jnp.exp(-0.5 * (x * x)) * (z * (_horner(_MILLS_P, z) / _horner(_MILLS_Q, z)))


# --------------------------------------------------------------------------- #
# gelu, tanh form: x * s(v), v = 2u = x (K + KA x^2), K = 2 sqrt(2/pi), KA = 0.044715 K
# --------------------------------------------------------------------------- #

_K = 2.0 * math.sqrt(2.0 / math.pi)
_KA = 0.044715 * _K
_TANH_CLAMP = 1e4  # |v(1e4)| > 7e10: the gate is exactly 0 or 1; keeps x^3 and x v'^2 finite

_GELU_TANH_D2_ROOTS: tuple[_Root, ...] = (
    (
        -1.418503999710083,
        -9.080745488887487e-09,
        (
            0.4095488174124234,
            0.4320811115955375,
            0.008168951882320792,
            -0.1610948174851069,
            -0.05675054080638122,
            0.020035411154606452,
            0.01671150000877975,
            0.000761359663492628,
            -0.0026432971500445117,
            -0.0007217277598512731,
            0.00026005473659839113,
        ),
    ),
    (
        1.418503999710083,
        9.080745488887487e-09,
        (
            -0.40954881741242394,
            0.43208111159553314,
            -0.008168951882190413,
            -0.1610948174845409,
            0.056750540794840966,
            0.02003541112895187,
            -0.016711499590713517,
            0.000761360129186656,
            0.0026432905530192276,
            -0.0007217307049518452,
            -0.00026001703931106805,
        ),
    ),
)


def _tanh_parts(x: jax.Array) -> tuple[jax.Array, ...]:
    xc = jnp.clip(x, -_TANH_CLAMP, _TANH_CLAMP)
    x2 = xc * xc
    v = xc * (_K + _KA * x2)
    p, qs, q, scale = _gate(v)
    dv = _K + 3.0 * _KA * x2
    return xc, x2, dv, p, qs, q, scale


def _gelu_tanh_d2(x: jax.Array) -> jax.Array:
    xc, x2, dv, p, qs, q, scale = _tanh_parts(x)
    # s(v) s(-v) [2 v' + x v'' - |x| v'^2 (s(|v|) - s(-|v|))], v'' = 6 KA x
    out = (qs * p * (2.0 * dv + 6.0 * _KA * x2 - jnp.abs(xc) * dv * dv * (p - q))) * scale
    for root in _GELU_TANH_D2_ROOTS:
        out = _near_root(x, out, root)
    return out


@derivative(_gelu_tanh_d2)
def _gelu_tanh_d1(x: jax.Array) -> jax.Array:
    lim = 21.0 if x.dtype == jnp.float64 else 11.0  # the derivative is 0 / 1 beyond (to the dtype's precision)
    xc = jnp.clip(x, -lim, lim)  # v(-11) = -113 (v(-21) = -695 in float64) keeps t finite
    x2 = xc * xc
    t, m = _exp_neg_shifted(xc * (_K + _KA * x2), *_d1_shift(x))
    d = m + t
    # s(v) (1 + x v' s(-v)) = m (m + t (1 + x v')) / d^2: the root near x = -0.75 cancels only in 1 + x v' (one fma)
    return ((m + t * (1.0 + xc * (_K + 3.0 * _KA * x2))) / (d * d)) * m


@derivative(_gelu_tanh_d1)
def _gelu_tanh(x: jax.Array) -> jax.Array:
    # 0.5 (1 + tanh u) = s(2u) = s(v): no cancellation for x < 0; x^3 = inf gives v = +-inf, t = 0 / inf
    t, m = _exp_neg_shifted(x * (_K + _KA * (x * x)))
    return (jnp.maximum(x, -1e4) / (1.0 + t)) * m


def _approximate_domain(v: Any) -> str | None:
    ok = isinstance(v, (bool, np.bool_)) or (isinstance(v, str) and v in ("none", "tanh"))
    return None if ok else "a bool, or one of the strings 'none' (exact) and 'tanh' (PyTorch's spelling)"


_approximate_domain.static_value = True  # type: ignore[attr-defined]


@activation(
    "gelu",
    family="selfgated",
    formula="x * Phi(x) (exact) or x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) (approximate)",
    kinks="none (smooth)",
    static=("approximate",),
    domains={"approximate": _approximate_domain},
)
def gelu(x: jax.Array, approximate: bool | str = False) -> jax.Array:
    r"""Gaussian error linear unit.

    .. math::
      \mathrm{gelu}(x) = x\,\Phi(x) = \tfrac{x}{2}\,\mathrm{erfc}\!\left(-\tfrac{x}{\sqrt 2}\right)

    and, with ``approximate=True``, the tanh form

    .. math::
      \tfrac{x}{2}\bigl(1 + \tanh u\bigr) = x\,\sigma(2u), \qquad
      u = \sqrt{2/\pi}\,\bigl(x + 0.044715\,x^3\bigr).

    Both are smooth. :math:`\Phi` is never formed as ``1 + erf`` (which cancels for
    ``x < 0``), and the tanh form is evaluated as ``x * sigmoid(2u)`` (``1 + tanh u``
    is 0 below ``x = -5.5`` in float32, where jax.nn and PyTorch lose every digit).
    ``x^3`` is never formed where it would overflow: the tanh form's gradient is
    finite for all finite ``x``. The limits are finite (``gelu(-inf) = 0``,
    ``gelu'(inf) = 1``). The backward pass saves only ``x``.

    Args:
      x: input array.
      approximate: static. ``False`` (default) or ``"none"``: the exact form;
        ``True`` or ``"tanh"``: the tanh approximation. PyTorch's strings are
        accepted, so ``approximate="tanh"`` works as in ``torch.nn.functional.gelu``.

    Returns:
      An array of the same shape and dtype as ``x``.

    Raises:
      ValueError: ``approximate`` is not a bool, ``"none"`` or ``"tanh"``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.gelu(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.15865526,  0.        ,  0.8413448 ], dtype=float32)
      >>> ja.gelu(jnp.array([1.0]), approximate=True)
      Array([0.841192], dtype=float32)

    Note:
      The default is the exact form, as in Keras 3 and PyTorch. ``jax.nn.gelu``
      (and so Flax) defaults to the tanh form (``approximate=True``); the two
      differ by up to 4.7e-4. Pass ``approximate=True`` to match ``jax.nn.gelu(x)``.

    References:
      Hendrycks and Gimpel, "Gaussian Error Linear Units (GELUs)", 2016.
      https://arxiv.org/abs/1606.08415
    """
    if approximate == "tanh" or (not isinstance(approximate, str) and bool(approximate)):
        return _gelu_tanh(x)
    return _gelu_exact(x)


# --------------------------------------------------------------------------- #
# mish = x * tanh(softplus(x)) = x * g,  g = (e^2x + 2e^x) / (e^2x + 2e^x + 2)
# x < 0, t = e^x:   g = t(t+2)/D,  D = t^2+2t+2,  g' = 4t(t+1)/D^2
# x >= 0, t = e^-x: g = (1+2t)/E,  E = 2t^2+2t+1, g' = 4t^2(1+t)/E^2
# --------------------------------------------------------------------------- #

_MISH_D1_ROOT: _Root = (
    -1.1924312114715576,
    -3.0439373244206536e-09,
    (
        0.2669479140495328,
        0.20473126407998507,
        0.04190782104428795,
        -0.020271822668097485,
        -0.015821126625772484,
        -0.0033606895795670172,
        0.0010924080911649064,
        0.0009899940884482285,
        0.00025408180757908615,
        -4.4845988843809036e-05,
        -5.543763073734783e-05,
    ),
)
_MISH_D2_ROOTS: tuple[_Root, ...] = (
    (
        -2.2563765048980713,
        1.0853727783199929e-07,
        (
            0.10875441073164338,
            0.0989819380525519,
            0.037361895610024745,
            0.0033540526559644145,
            -0.0038604939157385523,
            -0.0024800676431644742,
            -0.0007927894160809626,
            -0.00010540391621520382,
            3.979640775587438e-05,
            3.259077744110422e-05,
            1.1548563971431054e-05,
        ),
    ),
    (
        1.490571141242981,
        3.82424474310028e-08,
        (
            -0.23069451159745527,
            0.28127277803089945,
            -0.0797073551703944,
            -0.06665174009420469,
            0.059988882048815216,
            -0.008932228726343684,
            -0.011535308189029031,
            0.007002188575538813,
            -0.0002667105460873528,
            -0.0013926175470387308,
            0.0005826304242221403,
        ),
    ),
)


def _mish_parts(x: jax.Array) -> tuple[jax.Array, ...]:
    ts, scale = _exp_neg(jnp.abs(x))
    t = ts * scale
    xc = jnp.clip(x, -_CLAMP, _CLAMP)
    d = (t + 1.0) * (t + 1.0) + 1.0
    e = (2.0 * t + 2.0) * t + 1.0
    return xc, t, ts, scale, d, e


def _mish_d2(x: jax.Array) -> jax.Array:
    xc, t, ts, scale, d, e = _mish_parts(x)
    neg = 4.0 * ts * (2.0 * (t + 1.0) * d - xc * (((2.0 * t + 3.0) * t - 2.0) * t - 2.0)) / (d * d * d)
    pos = 4.0 * (t * ts) * (2.0 * (1.0 + t) * e + xc * (((2.0 * t + 2.0) * t - 3.0) * t - 2.0)) / (e * e * e)
    out = jnp.where(x < 0, neg, pos) * scale  # 2 g' + x g'', scaled in both tails
    for root in _MISH_D2_ROOTS:
        out = _near_root(x, out, root)
    return out


@derivative(_mish_d2)
def _mish_d1(x: jax.Array) -> jax.Array:
    xc, t, ts, scale, d, e = _mish_parts(x)
    neg = (ts * ((t + 2.0) + 4.0 * xc * (t + 1.0) / d) / d) * scale
    pos = (1.0 + 2.0 * t) / e + (4.0 * xc * (t * ts) * (1.0 + t) / (e * e)) * scale
    return _near_root(x, jnp.where(x < 0, neg, pos), _MISH_D1_ROOT)  # g + x g'


@derivative(_mish_d1)
def _mish(x: jax.Array) -> jax.Array:
    xc, t, ts, scale, d, e = _mish_parts(x)
    return jnp.where(x < 0, (xc * ts * (t + 2.0) / d) * scale, x * ((1.0 + 2.0 * t) / e))


@activation(
    "mish",
    family="selfgated",
    formula="x * tanh(softplus(x))",
    kinks="none (smooth)",
)
def mish(x: jax.Array) -> jax.Array:
    r"""Mish: a self-regularized non-monotonic activation.

    .. math::
      \mathrm{mish}(x) = x \tanh\bigl(\log(1 + e^x)\bigr)
        = x\,\frac{e^{2x} + 2e^{x}}{e^{2x} + 2e^{x} + 2}

    Smooth everywhere. The gate is evaluated in the rational form above, in
    :math:`e^{-|x|}`, so neither tail cancels or underflows (``jax.nn.mish``'s
    gradient loses up to 2,400 ULP); ``mish(-inf) = 0`` and ``mish'(inf) = 1``
    are finite. The backward pass saves only ``x``.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.mish(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.30340147,  0.        ,  0.8650984 ], dtype=float32)

    References:
      Misra, "Mish: A Self Regularized Non-Monotonic Activation Function", 2019.
      https://arxiv.org/abs/1908.08681
    """
    return _mish(x)
