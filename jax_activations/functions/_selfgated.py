"""The self-gated family: silu (swish), gelu and mish, each ``x`` times a gate of ``x``.

Every function here is written with explicit first and second derivatives
(attached with :func:`jax_activations._numerics.derivative`), so that

* values and gradients stay within a few float32 ULP over the whole range: in the
  far tails the gate underflows while ``x * gate`` is still a normal number, so
  the small factor ``e^{-a}`` is carried as ``ts * scale`` (see :func:`_exp_neg`);
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
    p, qs, _, scale = _gate(x)
    xc = jnp.clip(x, -_CLAMP, _CLAMP)
    # x >= 0: s(x) = p, s(-x) = q;  x < 0: s(x) = q (scaled: tiny in the tail), s(-x) = p
    return jnp.where(x >= 0, p * (1.0 + xc * (qs * scale)), (qs * (1.0 + xc * p)) * scale)


@derivative(_silu_d1)
def _silu(x: jax.Array) -> jax.Array:
    p, qs, _, scale = _gate(x)
    xc = jnp.clip(x, -_CLAMP, _CLAMP)
    return jnp.where(x >= 0, x * p, (xc * qs) * scale)  # x * s(x) without exp underflow near x = -87..-92


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

# Float32 approximations fitted (Chebyshev, float64) to the definitions, each within
# 0.02 ULP of its target before rounding:
# (Phi(x) - 1/2) / x as a polynomial in x^2, for |x| <= 1;
_PHI_A = (
    0.3989422804014329, -0.06649038006683282, 0.009973557007570218, -0.0011873281877845057,
    0.00011543453788441818, -9.444208245338155e-06, 6.651856195839136e-07, -4.0425241059371015e-08,
    1.8241403568919954e-09,
)
# the Mills ratio R(z) = (1 - Phi(z)) / phi(z) as a polynomial in z - 2.5, for 1 <= z <= 4;
_MILLS_MID = (
    0.3542651113563553, -0.11433722007120119, 0.034211027420226456, -0.00960323656449965,
    0.002550754791477907, -0.0006452002981701162, 0.0001562405233892669, -3.647816839759758e-05,
    8.192760148811893e-06, -1.6977167327746703e-06, 3.5631375748701103e-07, -1.0181377921699326e-07,
    2.0408395706968744e-08,
)
# z R(z) as a polynomial in w = 1 / z^2, for z >= 4.
_MILLS_TAIL = (
    1.0, -0.9999997011260198, 2.999865163976014, -14.976123934112572, 102.81642794899338,
    -826.8835570849055, 6272.997432504609, -34438.035942032904, 93138.2957357129,
)

_GELU_D1_ROOT: _Root = (-0.7517915368080139, 1.2114449221556356e-08, (
    0.43149399231404517, 0.38828498299036124, -0.018199676398449036, -0.11400823325084708, -0.014771522142473471,
    0.019421676121910696, 0.004539226626956336, -0.0022394101540352085, -0.0007447497877295466,
    0.00018436830248549845, 8.485659376429347e-05))


def _normal_parts(x: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array, jax.Array]:
    """``(xc, phis, scale, low, qr)``: ``phi(x) = phis * scale``; ``Phi(x)`` for ``|x| < 1`` is
    ``1/2 + low`` and otherwise ``1 - Phi(|x|) = phi(x) * qr`` (``qr`` the Mills ratio)."""
    xc = jnp.clip(x, -_GELU_CLAMP, _GELU_CLAMP)
    ts, scale = _exp_neg(0.5 * (xc * xc))  # the x^2 rounding error stays inside one input ULP's change
    phis = ts * _INV_SQRT_2PI
    z = jnp.abs(xc)
    low = x * _horner(_PHI_A, jnp.minimum(xc * xc, 1.0))  # Phi(x) - 1/2 via erf's odd series: no cancellation
    zt = jnp.maximum(z, 4.0)
    mills = jnp.where(z < 4.0, _horner(_MILLS_MID, jnp.clip(z, 1.0, 4.0) - 2.5), _horner(_MILLS_TAIL, 1.0 / (zt * zt)) / zt)
    return xc, phis, scale, low, mills


def _phi_cdf(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.float64:  # the fits are float32-accurate; XLA's float64 erfc is not the weak spot
        return 0.5 * jax.lax.erfc(-x * math.sqrt(0.5))
    _, phis, scale, low, mills = _normal_parts(x)
    tail = (phis * mills) * scale
    return jnp.where(jnp.abs(x) < 1.0, 0.5 + low, jnp.where(x < 0, tail, 1.0 - tail))


def _gelu_d2(x: jax.Array) -> jax.Array:
    xc = jnp.clip(x, -_GELU_CLAMP, _GELU_CLAMP)
    ts, scale = _exp_neg(0.5 * (xc * xc))
    return (ts * _INV_SQRT_2PI * (2.0 - xc * xc)) * scale  # phi(x)(2 - x^2), scaled in the tails


@derivative(_gelu_d2)
def _gelu_d1(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.float64:
        xc = jnp.clip(x, -40.0, 40.0)
        return _phi_cdf(x) + xc * jnp.exp(-0.5 * xc * xc) * _INV_SQRT_2PI
    xc, phis, scale, low, mills = _normal_parts(x)
    z = jnp.abs(xc)
    mid = 0.5 + low + xc * (phis * scale)
    # Phi(x) + x phi(x) = phi(x)(R(-x) + x) for x <= -1 and 1 - phi(x)(R(x) - x) for x >= 1
    general = jnp.where(z < 1.0, mid, jnp.where(x < 0, (phis * (mills - z)) * scale, 1.0 - (phis * (mills - z)) * scale))
    return _near_root(x, general, _GELU_D1_ROOT)


@derivative(_gelu_d1)
def _gelu_exact(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.float64:
        return x * _phi_cdf(x)
    xc, phis, scale, low, mills = _normal_parts(x)
    tail = (xc * phis * mills) * scale  # x (1 - Phi(|x|)): scaled, so x Phi(x) stays normal past x = -13
    return jnp.where(jnp.abs(x) < 1.0, x * (0.5 + low), jnp.where(x < 0, tail, x - tail))


# --------------------------------------------------------------------------- #
# gelu, tanh form: x * s(v), v = 2u = x (K + KA x^2), K = 2 sqrt(2/pi), KA = 0.044715 K
# --------------------------------------------------------------------------- #

_K = 2.0 * math.sqrt(2.0 / math.pi)
_KA = 0.044715 * _K
_TANH_CLAMP = 1e4  # |v(1e4)| > 7e10: the gate is exactly 0 or 1; keeps x^3 and x v'^2 finite

_GELU_TANH_D1_ROOT: _Root = (-0.7524614334106445, 1.133962823640644e-08, (
    0.43040009102485904, 0.38751844613541586, -0.015782853522480402, -0.11394448296635748, -0.016619328235170594,
    0.01968229932208756, 0.0052610522016506185, -0.002422362727348467, -0.0009272296917282035,
    0.00025801213264559363, 0.00012127217331840608))
_GELU_TANH_D2_ROOTS: tuple[_Root, ...] = (
    (-1.418503999710083, -9.080745488887487e-09, (
        0.4095488174124234, 0.4320811115955375, 0.008168951882320792, -0.1610948174851069, -0.05675054080638122,
        0.020035411154606452, 0.01671150000877975, 0.000761359663492628, -0.0026432971500445117,
        -0.0007217277598512731, 0.00026005473659839113)),
    (1.418503999710083, 9.080745488887487e-09, (
        -0.40954881741242394, 0.43208111159553314, -0.008168951882190413, -0.1610948174845409,
        0.056750540794840966, 0.02003541112895187, -0.016711499590713517, 0.000761360129186656,
        0.0026432905530192276, -0.0007217307049518452, -0.00026001703931106805)),
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
    xc, _, dv, p, qs, q, scale = _tanh_parts(x)
    # s(v) (1 + x v' s(-v)): x >= 0 as p (1 + x v' q), x < 0 as q (1 + x v' p), scaled
    general = jnp.where(x >= 0, p * (1.0 + xc * dv * q), (qs * (1.0 + xc * dv * p)) * scale)
    return _near_root(x, general, _GELU_TANH_D1_ROOT)


@derivative(_gelu_tanh_d1)
def _gelu_tanh(x: jax.Array) -> jax.Array:
    xc, _, _, p, qs, _, scale = _tanh_parts(x)
    return jnp.where(x >= 0, x * p, (xc * qs) * scale)  # 0.5 (1 + tanh u) = s(2u): no cancellation for x < 0


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
      Array([-0.15865527,  0.        ,  0.8413447 ], dtype=float32)
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

_MISH_D1_ROOT: _Root = (-1.1924312114715576, -3.0439373244206536e-09, (
    0.2669479140495328, 0.20473126407998507, 0.04190782104428795, -0.020271822668097485, -0.015821126625772484,
    -0.0033606895795670172, 0.0010924080911649064, 0.0009899940884482285, 0.00025408180757908615,
    -4.4845988843809036e-05, -5.543763073734783e-05))
_MISH_D2_ROOTS: tuple[_Root, ...] = (
    (-2.2563765048980713, 1.0853727783199929e-07, (
        0.10875441073164338, 0.0989819380525519, 0.037361895610024745, 0.0033540526559644145,
        -0.0038604939157385523, -0.0024800676431644742, -0.0007927894160809626, -0.00010540391621520382,
        3.979640775587438e-05, 3.259077744110422e-05, 1.1548563971431054e-05)),
    (1.490571141242981, 3.82424474310028e-08, (
        -0.23069451159745527, 0.28127277803089945, -0.0797073551703944, -0.06665174009420469, 0.059988882048815216,
        -0.008932228726343684, -0.011535308189029031, 0.007002188575538813, -0.0002667105460873528,
        -0.0013926175470387308, 0.0005826304242221403)),
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
