"""The exponential family: elu, selu, celu and exponential."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jax_activations._numerics import derivative, flag
from jax_activations._registry import activation, finite, positive

__all__ = ["celu", "elu", "exponential", "selu"]

# SELU constants (Klambauer et al. 2017), to full double precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


_SPLIT = 4097.0  # 2^12 + 1: Veltkamp's splitter for float32 (24-bit significands)
_SHIFT = 64.0
_EXP_NEG_SHIFT = math.exp(-_SHIFT)


def _split(v: jax.Array) -> tuple[jax.Array, jax.Array]:
    c = _SPLIT * v
    hi = c - (c - v)
    return hi, v - hi


def _divide(x: jax.Array, a: jax.Array) -> jax.Array:
    """x / a to within 1 ULP for a scalar (or any) divisor ``a``.

    XLA rewrites ``x / broadcast(a)`` as ``x * (1/a)``, two roundings; in ``exp(x/a)`` that error is
    multiplied by ``|x/a|`` (up to 87x).  One correction step with the exact residual ``x - q*a``
    (Dekker's product, no FMA needed) restores a correctly rounded quotient in practice.
    """
    r = 1.0 / a
    q = x * r
    ok = (jnp.abs(q) < 2.0**100) & (jnp.abs(a) < 2.0**100) & (jnp.abs(a) > 2.0**-100)  # split stays finite
    qs = jnp.where(ok, q, 0.0)
    qh, ql = _split(qs)
    ah, al = _split(jnp.where(ok, a, 1.0))
    p = qs * a
    e = ((qh * ah - p) + qh * al + ql * ah) + ql * al  # p + e == qs * a exactly
    res = (x - p) - e  # x - p is exact (p is within a factor 2 of x)
    return jnp.where(ok, qs + res * r, q)


def _exp_over(u: jax.Array, a: jax.Array) -> jax.Array:
    """exp(u) / a, also where exp(u) is subnormal (flushed on CPU) but the quotient is not."""
    tail = u < -_SHIFT
    us = jnp.where(tail, u, -2.0 * _SHIFT)
    return jnp.where(tail, jnp.exp(us + _SHIFT) * (_EXP_NEG_SHIFT / a), jnp.exp(u) / a)  # u + 64 is exact there


def _exp_times(u: jax.Array, c: jax.Array | float) -> jax.Array:
    """c * exp(u), also where exp(u) is subnormal (flushed on CPU) but c * exp(u) is not (c > 1).

    One exp of a selected argument: u + 64 is exact for u < -64, and e^-64 is put back in the constant.
    """
    tail = u < -_SHIFT
    e = jnp.exp(jnp.where(tail, u + _SHIFT, u))
    return e * jnp.where(tail, c * _EXP_NEG_SHIFT, c)


# expm1(u) = u + u^2 P(u) on [-1/2, 0]: a weighted minimax fit in float64 (relative error 1.5e-9 of expm1).
# XLA's CPU expm1 is up to 3.9 ULP off for small |u|; this form keeps x (= alpha u) exact and is also faster.
_EXPM1_P = (0.4999998647037102, 0.16666288759431208, 0.0416320484082571, 0.008193295270675067, 0.0011259225480764485)


def _times_expm1(xm: jax.Array, u: jax.Array, alpha: jax.Array | float) -> jax.Array:
    """alpha * expm1(u) for u <= 0, given xm = alpha * u (exact, the input) and u (within about 1.5 ULP).

    For u < -1/2, alpha (e^u - 1): e^u <= 0.61, so the subtraction amplifies exp's error at most 1.6x.
    Above, xm + xm (u P(u)): xm is exact and u's own error only reaches the <= 21% correction term;
    for tiny u (even flushed to 0) this is xm itself.
    """
    if xm.dtype == jnp.float64:  # the polynomial is fitted to float32 accuracy; float64 has an exact expm1
        return alpha * jnp.expm1(u)
    p = _EXPM1_P[-1]
    for c in _EXPM1_P[-2::-1]:
        p = p * u + c
    return jnp.where(u < -0.5, alpha * (jnp.exp(u) - 1.0), xm + xm * (u * p))


# elu'(x) = alpha*exp(x) for x <= 0: autodiff of expm1 gives y + alpha, which is 0 below x = -17.
@derivative(lambda x, alpha: jnp.where(x > 0, 1.0, _exp_times(jnp.minimum(x, 0.0), alpha)))
def _elu(x: jax.Array, alpha: jax.Array) -> jax.Array:
    xm = jnp.minimum(x, 0.0)
    return jnp.where(x > 0, x, alpha * _times_expm1(xm, xm, 1.0))  # the same rounding as celu with alpha = 1


# lean: elu' = y + alpha for y <= 0 (x <= 0 when alpha >= 0), from the output (jax.nn's rule; 0 below x = -17).
_elu_lean = derivative(lambda y, alpha: jnp.where(y > 0, 1.0, y + alpha), uses="y")(_elu.fun)


def _validate_elu(alpha: Any = 1.0, lean: bool = False, **_: Any) -> None:
    if lean and alpha is not None and bool(np.any(np.asarray(alpha) < 0)):
        raise ValueError(
            f"elu: alpha={np.asarray(alpha).tolist()!r} with lean=True is not allowed; expected alpha >= 0 (the output-based derivative "
            "tells x > 0 from x <= 0 by the sign of the output)"
        )


@activation(
    "elu",
    family="exponential",
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    kinks="elu'(0) = alpha (the left derivative; continuous when alpha = 1)",
    static=("lean",),
    domains={"alpha": finite, "lean": flag},
    validate=_validate_elu,
)
def elu(x: jax.Array, alpha: float | jax.Array = 1.0, *, lean: bool = False) -> jax.Array:
    r"""Exponential linear unit.

    .. math::
      \mathrm{elu}(x) = \begin{cases} x, & x > 0 \\ \alpha (e^x - 1), & x \le 0 \end{cases}

    The derivative for :math:`x \le 0` is computed as :math:`\alpha e^x`, exact in
    the far negative tail (autodiff of ``expm1`` gives ``y + alpha``, which is 0
    below :math:`x \approx -17` in float32). At the kink, ``elu'(0) = alpha``.

    Args:
      x: input array.
      alpha: scale of the negative saturation, default 1.0 (Keras, jax.nn and
        PyTorch agree). May be a traced array.
      lean: if True, the derivative is computed from the output alone
        (:math:`y + \alpha` for :math:`x \le 0`, as ``jax.nn`` does), so
        reverse mode keeps only the output, which the next layer keeps anyway:
        no extra memory in training. It then loses accuracy where the output
        saturates (it is 0 below :math:`x \approx -17`; needs ``alpha >= 0``).
        The default keeps the input and is exact there. Static.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.elu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.63212055,  0.        ,  2.        ], dtype=float32)

    References:
      Clevert, Unterthiner and Hochreiter, "Fast and Accurate Deep Network
      Learning by Exponential Linear Units (ELUs)", 2015. https://arxiv.org/abs/1511.07289
    """
    return _elu_lean(x, alpha) if lean else _elu(x, alpha)


# selu'(x) = scale*alpha*exp(x) for x <= 0 (autodiff of expm1 gives 0 below x = -17); selu'(0) = scale*alpha.
_SELU_SA = SELU_SCALE * SELU_ALPHA  # product taken in float64, rounded once


@derivative(lambda x: jnp.where(x > 0, SELU_SCALE, _exp_times(jnp.minimum(x, 0.0), _SELU_SA)))
def _selu(x: jax.Array) -> jax.Array:
    return jnp.where(x > 0, SELU_SCALE * x, _SELU_SA * jnp.expm1(jnp.minimum(x, 0.0)))


# lean: selu' = y + scale * alpha for y <= 0, from the output (jax.nn's rule; 0 below x = -17).
_selu_lean = derivative(lambda y: jnp.where(y > 0, SELU_SCALE, y + _SELU_SA), uses="y")(_selu.fun)


@activation(
    "selu",
    family="exponential",
    formula="scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha = 1.67326..., scale = 1.05070...",
    kinks="selu'(0) = scale * alpha (the left derivative)",
    static=("lean",),
    domains={"lean": flag},
)
def selu(x: jax.Array, *, lean: bool = False) -> jax.Array:
    r"""Scaled exponential linear unit.

    .. math::
      \mathrm{selu}(x) = \lambda \begin{cases} x, & x > 0 \\ \alpha (e^x - 1), & x \le 0 \end{cases}

    with :math:`\alpha = 1.6732632423543772848\ldots` and
    :math:`\lambda = 1.0507009873554804934\ldots` to full precision
    (``SELU_ALPHA``, ``SELU_SCALE``). The derivative for :math:`x \le 0` is
    computed as :math:`\lambda\alpha e^x`, exact in the far negative tail. At
    the kink, ``selu'(0) = scale * alpha`` (the left derivative).

    Args:
      x: input array.
      lean: if True, the derivative is computed from the output alone
        (:math:`y + \lambda\alpha` for :math:`x \le 0`, as ``jax.nn`` does),
        so reverse mode keeps only the output, which the next layer keeps
        anyway: no extra memory in training. It then loses accuracy where the
        output saturates (it is 0 below :math:`x \approx -17`). The default
        keeps the input and is exact there. Static.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.selu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-1.1113307,  0.       ,  2.101402 ], dtype=float32)

    References:
      Klambauer, Unterthiner, Mayr and Hochreiter, "Self-Normalizing Neural
      Networks", 2017. https://arxiv.org/abs/1706.02515
    """
    return _selu_lean(x) if lean else _selu(x)


def _celu_u(x: jax.Array, alpha: jax.Array) -> jax.Array:
    # min(x, 0)/alpha, clamped at -200 (no value changes: e^-200 is 0) so d/dalpha stays finite at x = -inf
    # x = -inf -> -200 (exp gives the same 0), without dividing inf: keeps d/dalpha free of 0 * inf = NaN
    xs = jnp.where(x < -3.0e38, -3.0e38, jnp.minimum(x, 0.0))
    u = _divide(xs, alpha)
    return jnp.where(u < -200.0, -200.0, u)


def _d2celu(x: jax.Array, alpha: jax.Array) -> jax.Array:
    return jnp.where(x > 0, 0.0, _exp_over(_celu_u(x, alpha), alpha))


# celu'(x) = exp(x/alpha) for x <= 0, from x: autodiff of expm1 (y/alpha + 1) is 0 below x/alpha = -17.
@derivative(_d2celu)
def _dcelu(x: jax.Array, alpha: jax.Array) -> jax.Array:
    return jnp.where(x > 0, 1.0, jnp.exp(_celu_u(x, alpha)))


@derivative(_dcelu)
def _celu(x: jax.Array, alpha: jax.Array) -> jax.Array:
    # finite at x = -inf (e^-200 is 0 already): no -inf meets a zero cotangent in d/dalpha (0 * inf = NaN)
    xm = jnp.minimum(jnp.maximum(x, -3.0e38), 0.0)
    # x * (1/alpha) is two roundings (1.5 ULP), enough here: u only enters exp(u) - 1 for u < -1/2 (relative
    # condition number |u e^u / (e^u - 1)| <= 1) and the small correction term x u P(u) <= 0.21 x below;
    # only the derivatives' exp(x/alpha) multiplies u's error by |u| (they use _divide).
    u = xm * (1.0 / alpha)
    u = jnp.where(u < -200.0, -200.0, u)  # e^-200 is 0 already; no overflow of u for alpha < 1 either
    return jnp.where(x > 0, x, _times_expm1(xm, u, alpha))


# lean: celu' = y / alpha + 1 for y <= 0, from the output (jax.nn's rule; 0 below x / alpha = -17).
_celu_lean = derivative(lambda y, alpha: jnp.where(y > 0, 1.0, y * (1.0 / alpha) + 1.0), uses="y")(_celu.fun)


@activation(
    "celu",
    family="exponential",
    formula="x if x > 0 else alpha * (exp(x / alpha) - 1)",
    kinks="celu'(0) = 1 (continuous); celu''(0) = 1/alpha (the left one)",
    static=("lean",),
    domains={"alpha": positive, "lean": flag},
)
def celu(x: jax.Array, alpha: float | jax.Array = 1.0, *, lean: bool = False) -> jax.Array:
    r"""Continuously differentiable exponential linear unit.

    .. math::
      \mathrm{celu}(x) = \max(0, x) + \min\left(0, \alpha (e^{x/\alpha} - 1)\right)

    Unlike ``elu``, the derivative is continuous at 0 for every ``alpha``
    (``celu'(0) = 1``). The derivative :math:`e^{x/\alpha}` for :math:`x \le 0` is
    computed from ``x``, exact in the far negative tail. The second derivative
    jumps at 0 (from :math:`1/\alpha` to 0) and is taken as :math:`1/\alpha` there.

    Args:
      x: input array.
      alpha: scale of the negative saturation, default 1.0 (Keras 3, jax.nn and
        PyTorch agree); a finite number > 0. May be a traced array.
      lean: if True, the derivative is computed from the output alone
        (:math:`y/\alpha + 1` for :math:`x \le 0`, as ``jax.nn`` does), so
        reverse mode keeps only the output, which the next layer keeps anyway:
        no extra memory in training. It then loses accuracy where the output
        saturates (it is 0 below :math:`x/\alpha \approx -17`). The default
        keeps the input and is exact there. Static.

    Returns:
      An array of the same shape and dtype as ``x``.

    Raises:
      ValueError: ``alpha`` is concrete and not a finite number > 0.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.celu(jnp.array([-1.0, 0.0, 2.0]), alpha=2.0)
      Array([-0.78693867,  0.        ,  2.        ], dtype=float32)

    References:
      Barron, "Continuously Differentiable Exponential Linear Units", 2017.
      https://arxiv.org/abs/1704.07483

    Note:
      ``alpha`` must be > 0 (the paper's domain). PyTorch only rejects
      ``alpha = 0`` and ``jax.nn``/Keras 3 accept any value; with a negative
      ``alpha`` their formula is not a saturating unit (it grows without bound
      for :math:`x < 0`).
    """
    return _celu_lean(x, alpha) if lean else _celu(x, alpha)


# exp' = exp: taken from the output, so reverse mode saves only y.
@derivative(lambda y: y, uses="y")
def _exponential(x: jax.Array) -> jax.Array:
    return jnp.exp(x)


@activation(
    "exponential",
    family="exponential",
    formula="exp(x)",
)
def exponential(x: jax.Array) -> jax.Array:
    r"""Exponential activation.

    .. math::
      \mathrm{exponential}(x) = e^x

    The derivative is the output itself, so reverse mode saves only the
    output. Smooth; no kinks.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.exponential(jnp.array([-1.0, 0.0, 2.0]))
      Array([0.36787945, 1.        , 7.389056  ], dtype=float32)
    """
    return _exponential(x)
