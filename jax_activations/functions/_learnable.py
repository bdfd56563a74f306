"""The learnable family: activations whose parameters are trained with the network.

Each is a pure function with its parameters as explicit arguments (scalars or
arrays that broadcast against ``x``, e.g. one value per channel on the last
axis), so it works in plain JAX code, under ``jit``/``vmap``/``grad``, and in the
registry (``ja.get("prelu", negative_slope=0.1)``).  The Flax layers in
:mod:`jax_activations.linen` and :mod:`jax_activations.nnx` only create the
parameters and call these functions.

As for every activation, parameters are cast to the compute dtype of ``x``
(float32 for float16/bfloat16 inputs) and the result has the dtype of ``x``: a
float32 parameter never promotes a bfloat16 input.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jax_activations._numerics import derivative
from jax_activations._registry import activation, finite, nonnegative, optional, positive

__all__ = [
    "acon_c",
    "apl",
    "dice",
    "dyt",
    "pelu",
    "prelu",
    "rational",
    "rational_fit",
    "snake",
    "snake_beta",
    "srelu",
    "star_relu",
    "swish_beta",
    "xielu",
]

_FAMILY = "learnable"


def _sigmoid(u: jax.Array) -> jax.Array:
    return jax.lax.logistic(u)


def _mul_sigmoid(c: jax.Array, u: jax.Array) -> jax.Array:
    """``c * sigmoid(u)``, exact where sigmoid(u) ~ e^u is subnormal (flushed to 0 on CPU) but the product is not."""
    tail = u < -80.0
    # Tail: sign(c) exp(u + log|c|), since 1 / (1 + e^u) = 1 there; double-where keeps log's gradient finite
    # off the tail, and |c| is capped so c = +-inf (where the product tends to 0) stays finite.
    ac = jnp.where(tail, jnp.minimum(jnp.abs(c), jnp.finfo(c.dtype).max), 1.0)
    t = jnp.sign(c) * jnp.exp(jnp.where(tail, u, 0.0) + jnp.log(ac))
    s = _sigmoid(u)
    body = jnp.where(s == 0, jnp.zeros_like(c * s), c * s)  # inf * 0: the gate wins (limit 0)
    return jnp.where(tail, t, body)


def _sech2(u: jax.Array) -> jax.Array:
    # 1 - tanh(u)^2 cancels to 0 for |u| > 9; 4 e^{-2|u|} / (1 + e^{-2|u|})^2 does not, and writing
    # 4 e^{-2|u|} as exp(log 4 - 2|u|) keeps it normal (not flushed) down to 1.2e-38.
    e = jnp.exp(-2.0 * jnp.abs(u))
    return jnp.exp(np.log(4.0) - 2.0 * jnp.abs(u)) / (1.0 + e) ** 2


# --------------------------------------------------------------------------- #
# PReLU
# --------------------------------------------------------------------------- #


@activation(
    "prelu",
    family=_FAMILY,
    kind="learnable",
    formula="x if x >= 0 else negative_slope * x",
    kinks="prelu'(0) = 1 (as leaky_relu in jax.nn and Keras; PyTorch gives the slope)",
    domains={"negative_slope": finite},
)
def prelu(x: jax.Array, negative_slope: float | jax.Array = 0.25) -> jax.Array:
    r"""Parametric ReLU: a leaky ReLU whose negative slope is learned.

    .. math::
      \mathrm{prelu}(x; a) = \begin{cases} x, & x \ge 0 \\ a x, & x < 0 \end{cases}

    At the kink ``prelu'(0) = 1`` (the right derivative, as ``leaky_relu`` in
    jax.nn and Keras).

    Args:
      x: input array.
      negative_slope: the slope ``a`` for negative inputs, a scalar or an array
        broadcasting against ``x`` (e.g. one slope per channel, shape ``(C,)``).
        Default 0.25, the initial value of He et al. (2015). May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.prelu(jnp.array([[-2.0, 3.0], [-1.0, -4.0]]), jnp.array([0.1, 0.5]))
      Array([[-0.2,  3. ],
             [-0.1, -2. ]], dtype=float32)

    References:
      He, Zhang, Ren and Sun, "Delving Deep into Rectifiers: Surpassing
      Human-Level Performance on ImageNet Classification", 2015.
      https://arxiv.org/abs/1502.01852

    Note:
      Keras' ``PReLU`` layer starts from slope 0, Flax's from 0.01 and PyTorch's
      from 0.25; the function's default (used only when no slope is given) is 0.25.
    """
    return jnp.where(x >= 0, x, negative_slope * x)


# --------------------------------------------------------------------------- #
# Swish-beta
# --------------------------------------------------------------------------- #


# d/dx x s(bx) = s(bx) (1 + bx s(-bx)): the autodiff form s(1 - s) cancels to 0 for bx > 16.6.
@derivative(lambda x, b: _mul_sigmoid(1.0 + (b * x) * _sigmoid(-b * x), b * x))
def _swish_beta(x: jax.Array, beta: jax.Array) -> jax.Array:
    return _mul_sigmoid(x, beta * x)


@activation(
    "swish_beta",
    family=_FAMILY,
    kind="learnable",
    formula="x * sigmoid(beta * x)",
    domains={"beta": finite},
)
def swish_beta(x: jax.Array, beta: float | jax.Array = 1.0) -> jax.Array:
    r"""Swish with a learnable temperature :math:`\beta`.

    .. math::
      \mathrm{swish}_\beta(x) = x\,\sigma(\beta x)

    ``beta=1`` is silu; ``beta=1.702`` is QuickGELU (the sigmoid approximation
    of gelu used by CLIP); ``beta -> inf`` tends to relu.  Smooth everywhere.

    Args:
      x: input array.
      beta: the temperature, a scalar or an array broadcasting against ``x``
        (one per channel). Default 1.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.swish_beta(jnp.array([-1.0, 0.0, 2.0]), 1.702)
      Array([-0.1542,  0.    ,  1.9357 ], dtype=float32)

    References:
      Ramachandran, Zoph and Le, "Searching for Activation Functions", 2017.
      https://arxiv.org/abs/1710.05941
    """
    return _swish_beta(x, beta)


# --------------------------------------------------------------------------- #
# PELU
# --------------------------------------------------------------------------- #


# The negative branch's derivative is (a/b) exp(x/b); autodiff of expm1 gives (y/a + 1) a/b, 0 below x/b = -17.
@derivative(lambda x, a, b: jnp.where(x >= 0, a / b, (a / b) * jnp.exp(jnp.minimum(x, 0.0) / b)))
def _pelu(x: jax.Array, a: jax.Array, b: jax.Array) -> jax.Array:
    return jnp.where(x >= 0, (a / b) * x, a * jnp.expm1(jnp.minimum(x, 0.0) / b))


@activation(
    "pelu",
    family=_FAMILY,
    kind="learnable",
    formula="(alpha / beta) * x if x >= 0 else alpha * (exp(x / beta) - 1)",
    kinks="none: the derivative alpha/beta is continuous at 0",
    domains={"alpha": positive, "beta": positive},
)
def pelu(x: jax.Array, alpha: float | jax.Array = 1.0, beta: float | jax.Array = 1.0) -> jax.Array:
    r"""Parametric exponential linear unit.

    .. math::
      \mathrm{pelu}(x; a, b) = \begin{cases} \frac{a}{b} x, & x \ge 0 \\
        a\,(e^{x/b} - 1), & x < 0 \end{cases}, \qquad a, b > 0

    Differentiable at 0 (both sides have slope :math:`a/b`); ``alpha=beta=1`` is
    elu.  The negative branch's derivative is computed as
    :math:`(a/b) e^{x/b}`, exact in the far tail.

    Args:
      x: input array.
      alpha: the saturation :math:`a > 0`. Default 1.0. May be traced.
      beta: the exponential decay :math:`b > 0`. Default 1.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.pelu(jnp.array([-1.0, 0.0, 2.0]), alpha=2.0, beta=0.5)
      Array([-1.7293,  0.    ,  8.    ], dtype=float32)

    References:
      Trottier, Giguère and Chaib-draa, "Parametric Exponential Linear Unit for
      Deep Convolutional Neural Networks", 2017. https://arxiv.org/abs/1605.09332
    """
    return _pelu(x, alpha, beta)


# --------------------------------------------------------------------------- #
# Piecewise linear: SReLU and APL
# --------------------------------------------------------------------------- #


def _check_srelu(t_left=None, a_left=None, t_right=None, a_right=None) -> None:
    if t_left is not None and t_right is not None and bool(np.any(np.asarray(t_left) > np.asarray(t_right))):
        raise ValueError(
            f"srelu: t_left={t_left!r} and t_right={t_right!r} are not allowed; expected t_left <= t_right"
        )


@activation(
    "srelu",
    family=_FAMILY,
    kind="learnable",
    formula="t_l + a_l (x - t_l) if x <= t_l; x if t_l < x < t_r; t_r + a_r (x - t_r) if x >= t_r",
    kinks="srelu'(t_left) = a_left, srelu'(t_right) = a_right (the outer slopes)",
    domains={"t_left": finite, "a_left": finite, "t_right": finite, "a_right": finite},
    validate=_check_srelu,
)
def srelu(
    x: jax.Array,
    t_left: float | jax.Array = 0.0,
    a_left: float | jax.Array = 0.0,
    t_right: float | jax.Array = 1.0,
    a_right: float | jax.Array = 1.0,
) -> jax.Array:
    r"""S-shaped rectified linear unit: three linear pieces with learned joints.

    .. math::
      \mathrm{srelu}(x) = \begin{cases} t_l + a_l (x - t_l), & x \le t_l \\
        x, & t_l < x < t_r \\ t_r + a_r (x - t_r), & x \ge t_r \end{cases}

    The breakpoints must be ordered, :math:`t_l \le t_r` (checked when
    concrete; the Flax layers keep them ordered by construction, storing
    :math:`t_r - t_l` through an absolute value).  At a breakpoint the
    derivative is the outer slope.  The defaults give relu.

    Args:
      x: input array.
      t_left, a_left: left breakpoint and slope left of it. Defaults 0.0, 0.0.
      t_right, a_right: right breakpoint and slope right of it. Defaults 1.0, 1.0.
        Each may be a traced array broadcasting against ``x``.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.srelu(jnp.array([-2.0, 0.5, 3.0]), t_left=-1.0, a_left=0.1, t_right=1.0, a_right=2.0)
      Array([-1.1,  0.5,  5. ], dtype=float32)

    References:
      Jin, Xu, Feng, Wei, Xiong and Yan, "Deep Learning with S-shaped Rectified
      Linear Activation Units", 2015. https://arxiv.org/abs/1512.07030
    """
    return jnp.where(
        x >= t_right, t_right + a_right * (x - t_right), jnp.where(x <= t_left, t_left + a_left * (x - t_left), x)
    )


@activation(
    "apl",
    family=_FAMILY,
    kind="learnable",
    formula="max(0, x) + sum_s a_s * max(0, b_s - x)",
    kinks="relu'(0) = 0 and each hinge's derivative at x = b_s is 0 (the right derivative)",
    domains={"a": finite, "b": finite},
    series=("a", "b"),
)
def apl(x: jax.Array, a: float | jax.Array = 0.0, b: float | jax.Array = 0.0) -> jax.Array:
    r"""Adaptive piecewise linear unit: relu plus learned hinges.

    .. math::
      \mathrm{apl}(x) = \max(0, x) + \sum_{s=1}^{S} a_s \max(0, b_s - x)

    ``a`` and ``b`` hold the hinges along their FIRST axis (shape ``(S, ...)``,
    the rest broadcasting against ``x``, e.g. ``(S, C)`` for per-channel
    hinges); scalars are one hinge.  The sum does not depend on the hinges'
    order; the Flax layers keep the breakpoints sorted.  At every breakpoint
    the right derivative is used (relu'(0) = 0).  The defaults give relu.

    Args:
      x: input array.
      a: hinge slopes :math:`a_s`. Default 0.0. May be traced.
      b: hinge locations :math:`b_s`. Default 0.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.apl(jnp.array([-2.0, 0.5, 3.5]), a=jnp.array([0.2, -0.5]), b=jnp.array([0.0, -1.0]))
      Array([-0.1,  0.5       ,  3.5       ], dtype=float32)

    References:
      Agostinelli, Hoffman, Sadowski and Baldi, "Learning Activation Functions
      to Improve Deep Neural Networks", 2014. https://arxiv.org/abs/1412.6830
    """
    out = jnp.where(x > 0, x, jnp.zeros_like(x))
    a, b = jnp.asarray(a, x.dtype), jnp.asarray(b, x.dtype)
    if a.ndim == 0 and b.ndim == 0:
        a, b = a[None], b[None]
    a, b = jnp.broadcast_arrays(a, b)
    for s in range(a.shape[0]):  # S is static and small: unrolled, no (S, *x.shape) temporary
        u = b[s] - x
        out = out + a[s] * jnp.where(u > 0, u, jnp.zeros_like(u))
    return out


# --------------------------------------------------------------------------- #
# Snake
# --------------------------------------------------------------------------- #


def _sinc(u: jax.Array) -> jax.Array:
    # sin(u)/u; a Taylor series for |u| < 0.1 (jnp.sinc's gradient overflows for tiny nonzero u).
    small = jnp.abs(u) < 0.1
    us = jnp.where(small, u, 0.0)
    u2 = us * us
    series = 1.0 - u2 / 6.0 * (1.0 - u2 / 20.0 * (1.0 - u2 / 42.0))
    ul = jnp.where(small, 1.0, u)
    return jnp.where(small, series, jnp.sin(ul) / ul)


def _overflowed(u: jax.Array, alpha: jax.Array) -> jax.Array:
    """Where the float32 product ``u = alpha * x`` overflowed (or is 0 * inf), with alpha itself a number.

    sin(u) of such an argument has no value (the argument is not known to within a period); NaN in x or
    alpha still gives NaN out.
    """
    return ~jnp.isfinite(u) & ~jnp.isnan(alpha)


def _sin2_over(x: jax.Array, alpha: jax.Array) -> jax.Array:
    # sin(ax)^2 / a written as x sin(ax) sinc(ax): no division by a, exact limit a*x^2 -> 0 as a -> 0.
    # Where a*x overflows, |sin^2(ax) / a| <= 1/|a| <= |x| / 3.4e38 is far below half an ULP of x: the term
    # is 0 (and x = +-inf gives its limit +-inf).  Double-where: sin(inf) would make the gradient NaN.
    bad = _overflowed(alpha * x, alpha)
    xs = jnp.where(bad, 0.0, x)
    us = alpha * xs
    return jnp.where(bad, 0.0, xs * jnp.sin(us) * _sinc(us))


def _dsnake(x: jax.Array, a: jax.Array) -> jax.Array:
    # snake' = 1 + sin(2ax) = (sin(ax) + cos(ax))^2: the square does not cancel where the slope is near 0.
    # Where a*x overflowed: 1, the slope's mean over a period (the value there is x, see _sin2_over).
    bad = _overflowed(a * x, a)
    us = a * jnp.where(bad, 0.0, x)
    return jnp.where(bad, 1.0, (jnp.sin(us) + jnp.cos(us)) ** 2)


@derivative(_dsnake)
def _snake(x: jax.Array, alpha: jax.Array) -> jax.Array:
    return x + _sin2_over(x, alpha)


@activation(
    "snake",
    family=_FAMILY,
    kind="learnable",
    formula="x + sin(alpha * x)^2 / alpha",
    domains={"alpha": finite},
)
def snake(x: jax.Array, alpha: float | jax.Array = 1.0) -> jax.Array:
    r"""Snake: a periodic activation with a learned frequency.

    .. math::
      \mathrm{snake}(x; \alpha) = x + \frac{\sin^2(\alpha x)}{\alpha}

    Computed as :math:`x + x \sin(\alpha x) \frac{\sin(\alpha x)}{\alpha x}`, which has
    no division and the right limit (the identity) at :math:`\alpha = 0`, with the
    right gradient :math:`\partial/\partial\alpha = x^2` there.  Where the
    float32 product :math:`\alpha x` overflows, the periodic term (at most
    :math:`1/|\alpha| \le |x| / 3.4\cdot10^{38}`, far below an ULP of ``x``) is
    taken as 0: the result is ``x`` (``+-inf`` at ``x = +-inf``) and the
    derivative 1, the mean of :math:`1 + \sin(2\alpha x)` over a period.

    Args:
      x: input array.
      alpha: the frequency, a scalar or an array broadcasting against ``x``
        (one per channel). Default 1.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.snake(jnp.array([-1.0, 0.0, 2.0]), 0.5)
      Array([-0.5403,  0.    ,  3.4161], dtype=float32)

    References:
      Liu Ziyin, Tilman Hartwig and Masahito Ueda, "Neural Networks Fail to
      Learn Periodic Functions and How to Fix It", 2020. https://arxiv.org/abs/2006.08195
    """
    return _snake(x, alpha)


def _check_snake_beta(alpha=None, beta=None) -> None:
    if beta is not None and bool(np.any(np.asarray(beta) == 0)):
        raise ValueError(f"snake_beta: beta={beta!r} is not allowed; expected a finite nonzero number")


@activation(
    "snake_beta",
    family=_FAMILY,
    kind="learnable",
    formula="x + sin(alpha * x)^2 / beta",
    domains={"alpha": finite, "beta": finite},
    validate=_check_snake_beta,
)
def snake_beta(x: jax.Array, alpha: float | jax.Array = 1.0, beta: float | jax.Array = 1.0) -> jax.Array:
    r"""SnakeBeta: Snake with separate frequency and magnitude.

    .. math::
      \mathrm{snake}_\beta(x; \alpha, \beta) = x + \frac{\sin^2(\alpha x)}{\beta}

    ``alpha == beta`` gives :func:`snake`.  ``beta`` must be nonzero (the Flax
    layers can learn it on a log scale, which keeps it positive).  Where the
    float32 product :math:`\alpha x` overflows, :math:`\sin^2(\alpha x)` has no
    meaningful value (the argument is not known to within a period); its mean
    1/2 is used, so the result is :math:`x + 1/(2\beta)` (the true value lies in
    :math:`[x, x + 1/\beta]`) and the derivative 1.

    Args:
      x: input array.
      alpha: the frequency. Default 1.0. May be traced.
      beta: the magnitude divisor (nonzero). Default 1.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.snake_beta(jnp.array([-1.0, 0.0, 2.0]), alpha=0.5, beta=2.0)
      Array([-0.8851,  0.    ,  2.3540 ], dtype=float32)

    References:
      Lee, Ping, Ginsburg, Catanzaro and Yoon, "BigVGAN: A Universal Neural
      Vocoder with Large-Scale Training", 2022. https://arxiv.org/abs/2206.04658
    """
    # Where alpha * x overflows float32, sin^2 of it has no value: its mean 1/2 is used (the true value is
    # in [x, x + 1/beta]); double-where keeps the gradient finite (d/dx = 1 there, the slope's mean).
    bad = _overflowed(alpha * x, alpha)
    s = jnp.sin(alpha * jnp.where(bad, 0.0, x))
    return x + jnp.where(bad, 0.5, s * s) / beta


# --------------------------------------------------------------------------- #
# Rational (Padé activation unit)
# --------------------------------------------------------------------------- #


def _horner(coeffs: jax.Array, x: jax.Array) -> jax.Array:
    """sum_j coeffs[j] x^j with the coefficient axis first (static length)."""
    acc = jnp.zeros_like(x) + coeffs[-1]
    for j in range(coeffs.shape[0] - 2, -1, -1):
        acc = acc * x + coeffs[j]
    return acc


@functools.lru_cache(maxsize=64)
def _fit_cached(
    key: str, degrees: tuple[int, int], lo: float, hi: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    import json

    from jax_activations._registry import get

    target = get(json.loads(key))
    xs = np.linspace(lo, hi, 2001)
    try:
        from jax_activations.reference import ROWS

        ident = json.loads(key)
        name, cfg = (ident, {}) if isinstance(ident, str) else (ident["name"], ident.get("config", {}))
        from jax_activations._registry import spec

        ys = np.asarray(ROWS[spec(name).name].f(xs, **cfg), dtype=np.float64)
    except Exception:
        ys = np.asarray(target(np.asarray(xs, np.float32)), dtype=np.float64)
    num, den = _fit_numpy(xs, ys, *degrees)
    return tuple(num.tolist()), tuple(den.tolist())


def _fit_numpy(xs: np.ndarray, ys: np.ndarray, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares fit of P/Q (deg m / deg n, Q = 1 + |sum_k b_k x^k|) to (xs, ys), float64."""
    from scipy.optimize import least_squares

    # Linearised problem P(x) - y (B(x)) = y with B = sum_{k>=1} b_k x^k (Q without the abs): one lstsq.
    vp = np.vander(xs, m + 1, increasing=True)
    vq = np.vander(xs, n + 1, increasing=True)[:, 1:]
    sol, *_ = np.linalg.lstsq(np.concatenate([vp, -ys[:, None] * vq], axis=1), ys, rcond=None)

    def resid(c: np.ndarray) -> np.ndarray:
        return (vp @ c[: m + 1]) / (1.0 + np.abs(vq @ c[m + 1 :])) - ys

    # Refine on the true objective (with the abs): the linear solution may let B(x) change sign.
    res = least_squares(resid, sol, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=20000)
    c = res.x if np.sum(res.fun**2) <= np.sum(resid(sol) ** 2) else sol
    return c[: m + 1], c[m + 1 :]


def rational_fit(
    target: object = "leaky_relu",
    degrees: tuple[int, int] = (5, 4),
    *,
    interval: tuple[float, float] = (-3.0, 3.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of the safe rational function closest to ``target`` (least squares, float64).

    Fits :math:`P(x) / (1 + |\\sum_{k\\ge1} b_k x^k|)` to the named activation on
    2001 evenly spaced points of ``interval`` (the float64 reference of the
    target when it has one), starting from the linearised solution and refining
    with Levenberg-Marquardt.  Results are cached per target and degrees.

    Args:
      target: an activation identifier (a name, ``{"name": ..., "config": ...}``
        or a configured activation), default ``"leaky_relu"`` (as in the PAU paper).
      degrees: ``(m, n)``, numerator and denominator degrees. Default (5, 4).
      interval: the fitting interval. Default (-3, 3).

    Returns:
      ``(numerator, denominator)``: float64 arrays of shapes ``(m + 1,)`` (from
      :math:`a_0`) and ``(n,)`` (from :math:`b_1`), ready for :func:`rational`.

    Example:
      >>> import numpy as np
      >>> import jax_activations as ja
      >>> num, den = ja.rational_fit("relu", (3, 2))
      >>> num.shape, den.shape
      ((4,), (2,))
    """
    import json

    from jax_activations._registry import get, serialize

    m, n = (int(d) for d in degrees)
    if m < 0 or n < 0 or len(tuple(degrees)) != 2:
        raise ValueError(f"rational_fit: degrees={degrees!r} is not allowed; expected two integers >= 0")
    key = json.dumps(serialize(get(target)), sort_keys=True)
    num, den = _fit_cached(key, (m, n), float(interval[0]), float(interval[1]))
    return np.asarray(num), np.asarray(den)


@activation(
    "rational",
    family=_FAMILY,
    kind="learnable",
    formula="(a_0 + a_1 x + ... + a_m x^m) / (1 + |b_1 x + ... + b_n x^n|)",
    kinks="d/dx |B(x)| at B(x) = 0 is taken as 0 (so rational'(0) = a_1 for every b)",
    domains={"numerator": optional(finite), "denominator": optional(finite)},
    series=("numerator", "denominator"),
)
def rational(
    x: jax.Array,
    numerator: jax.Array | None = None,
    denominator: jax.Array | None = None,
) -> jax.Array:
    r"""Rational activation (the "safe" Padé activation unit).

    .. math::
      R(x) = \frac{\sum_{j=0}^{m} a_j x^j}{1 + \left|\sum_{k=1}^{n} b_k x^k\right|}

    The denominator is at least 1, so :math:`R` has no poles.  Coefficients run
    along the FIRST axis of ``numerator`` (:math:`a_0 \dots a_m`) and
    ``denominator`` (:math:`b_1 \dots b_n`); further axes broadcast against
    ``x`` (e.g. ``(m + 1, C)`` for per-channel rationals).  Without
    coefficients it is the (5, 4) fit to ``leaky_relu`` with slope 0.01 on
    [-3, 3] (the PAU paper's initialisation); see :func:`rational_fit` for
    other targets.  The kink of :math:`|\cdot|` where the inner sum is 0 (always
    at ``x = 0``) takes derivative 0.  For large :math:`|x|`, where :math:`P(x)` or
    the denominator would overflow (``x = 2e8`` for degree 5) or autodiff's
    :math:`q^2` would, the same function is evaluated from the reversed
    polynomials in :math:`1/x` (numerator and denominator divided by
    :math:`x^m` and :math:`|x|^n`), so the value is finite wherever it is.

    Args:
      x: input array.
      numerator: :math:`a_0 \dots a_m`, shape ``(m + 1, ...)``. May be traced.
      denominator: :math:`b_1 \dots b_n`, shape ``(n, ...)``. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.rational(jnp.array([-1.0, 0.0, 2.0]), jnp.array([0.0, 1.0, 1.0]), jnp.array([0.0, 1.0]))
      Array([0. , 0. , 1.2], dtype=float32)

    References:
      Molina, Schramowski and Kersting, "Padé Activation Units: End-to-end
      Learning of Flexible Activation Functions in Deep Networks", 2019.
      https://arxiv.org/abs/1907.06732
    """
    if numerator is None or denominator is None:
        num, den = _default_rational_coeffs()
        numerator = jnp.asarray(num, x.dtype) if numerator is None else numerator
        denominator = jnp.asarray(den, x.dtype) if denominator is None else denominator
    if numerator.ndim == 0 or denominator.ndim == 0:
        raise ValueError("rational: numerator and denominator need a coefficient axis (their first axis)")
    if numerator.shape[0] == 0:
        raise ValueError(
            f"rational: numerator of shape {numerator.shape} is not allowed; expected at least one coefficient "
            "(a_0) on its first axis"
        )
    if denominator.shape[0] == 0:
        return _horner(numerator, x)
    # Where P(x) or 1 + |B(x)| overflows (|x| large, e.g. 2e8 for degree 5) the value may still be finite, and
    # where Q = 1 + |B(x)| > 2^40 autodiff's p q' / q^2 loses q^2 to overflow: there the rescaled form is used
    # (unless its own denominator underflows while the direct form is finite: leading coefficients ~ 0), the
    # direct one elsewhere.  Both see a safe x (double-where): the branch not taken leaves no NaN in gradients.
    x0 = jax.lax.stop_gradient(x)
    p0, q0 = _rational_direct(numerator, denominator, x0)
    direct_ok = jnp.isfinite(p0) & jnp.isfinite(q0)
    big = (jnp.abs(x0) > 1.0) & ~(direct_ok & (q0 < 2.0**40))
    _, d0 = _rational_far(numerator, denominator, jnp.where(big, x0, 2.0))
    far = big & (~direct_ok | (d0 >= np.finfo(np.float32).tiny))
    p, q = _rational_direct(numerator, denominator, jnp.where(far, 0.0, x))
    return jnp.where(far, _rational_far(numerator, denominator, jnp.where(far, x, 2.0))[0], p / q)


def _abs0(u: jax.Array) -> jax.Array:
    # |u| as u sign(u): derivative sign(u), 0 at u = 0 (jnp.abs gives 1 there), the stated kink convention.
    return u * jnp.sign(u)


def _rational_direct(numerator: jax.Array, denominator: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    # B(x) = x (b_1 + b_2 x + ...): Horner on the coefficients from b_1.
    return _horner(numerator, x), 1.0 + _abs0(x * _horner(denominator, x))


def _rational_far(numerator: jax.Array, denominator: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """P(x) / (1 + |B(x)|) for |x| > 1, from the reversed polynomials in t = 1/x (no overflow), and its denominator.

    P(x) / x^m = sum_j a_j t^(m - j) and (1 + |B(x)|) / |x|^n = |t|^n + |sum_k b_k t^(n - k)| are bounded
    (near a_m and |b_n|); the ratio is then scaled by x^m / |x|^n = sign(x)^m |x|^(m - n), one factor at a
    time, so it overflows (or underflows) only where the value does.
    """
    m, n = numerator.shape[0] - 1, denominator.shape[0]
    t = 1.0 / x
    # Beyond |x| = 1e18 the path through t adds a relative O(1/|x|) to the derivative, below float32's eps,
    # while its reverse-mode cotangents (|x|^(m-n) times O(1)) meet dt/dx = -1/x^2 = 0 as inf * 0 = NaN: cut it.
    tp = jnp.where(jnp.abs(x) > 1e18, jax.lax.stop_gradient(t), t)
    num = _horner(numerator[::-1], tp)
    den = jnp.abs(tp) ** n + _abs0(_horner(denominator[::-1], tp))
    r = num / den
    if m % 2:
        r = jnp.where(x < 0, -r, r)
    ax, at = jnp.abs(x), jnp.abs(t)
    scaled = r
    for _ in range(abs(m - n)):
        scaled = scaled * (ax if m > n else at)
    # den = 0 (underflow: leading b's ~ 0, used only where the direct form overflowed too): +-inf, not inf * 0.
    return jnp.where(den > 0, scaled, jnp.where(num == 0, 0.0, r)), den


@functools.lru_cache(maxsize=1)
def _default_rational_coeffs() -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(-3.0, 3.0, 2001)
    return _fit_numpy(xs, np.where(xs >= 0, xs, 0.01 * xs), 5, 4)


# --------------------------------------------------------------------------- #
# xIELU
# --------------------------------------------------------------------------- #


def _expm1_minus_x(z: jax.Array) -> jax.Array:
    # e^z - 1 - z for z <= 0; the direct form cancels for small |z|: Taylor series there (|z| < 0.2, error < 1e-9 rel).
    small = jnp.abs(z) < 0.2
    zs = jnp.where(small, z, 0.0)
    series = (
        0.5
        * zs
        * zs
        * (
            1.0
            + zs / 3.0 * (1.0 + zs / 4.0 * (1.0 + zs / 5.0 * (1.0 + zs / 6.0 * (1.0 + zs / 7.0 * (1.0 + zs / 8.0)))))
        )
    )
    zl = jnp.where(small, -1.0, z)
    return jnp.where(small, series, jnp.expm1(zl) - zl)


def _check_xielu(alpha_p=None, alpha_n=None, beta=None, eps=None) -> None:
    if eps is not None and bool(np.any(np.asarray(eps) > 0)):
        raise ValueError(f"xielu: eps={eps!r} is not allowed; expected a finite number <= 0")


@activation(
    "xielu",
    family=_FAMILY,
    kind="learnable",
    formula="alpha_p x^2 + beta x if x > 0 else alpha_n (expm1(min(x, eps)) - x) + beta x",
    kinks="xielu'(0) = beta - alpha_n (the left derivative, as the min(x, eps) clamp gives)",
    domains={"alpha_p": finite, "alpha_n": finite, "beta": finite, "eps": finite},
    validate=_check_xielu,
)
def xielu(
    x: jax.Array,
    alpha_p: float | jax.Array = 0.8,
    alpha_n: float | jax.Array = 0.8,
    beta: float | jax.Array = 0.5,
    eps: float | jax.Array = -1e-6,
) -> jax.Array:
    r"""Expanded integral of the ELU (xIELU).

    .. math::
      \mathrm{xielu}(x) = \begin{cases} \alpha_p x^2 + \beta x, & x > 0 \\
        \alpha_n \left(e^{\min(x, \epsilon)} - 1 - x\right) + \beta x, & x \le 0 \end{cases}

    The paper keeps :math:`\alpha_p > 0` and :math:`\alpha_n > \beta` by learning
    them through softplus (:math:`\alpha_p = \mathrm{softplus}(\hat\alpha_p)`,
    :math:`\alpha_n = \beta + \mathrm{softplus}(\hat\alpha_n)`); this function takes
    the effective values, and the Flax layers hold the raw ones.  The
    negative branch uses a Taylor series of :math:`e^z - 1 - z` near 0, where
    the direct form cancels.

    Args:
      x: input array.
      alpha_p: the positive branch's curvature. Default 0.8. May be traced.
      alpha_n: the negative branch's scale. Default 0.8. May be traced.
      beta: the linear slope. Default 0.5. May be traced.
      eps: the clamp :math:`\epsilon \le 0`. Default -1e-6. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.xielu(jnp.array([-1.0, 2.0]))
      Array([-0.2057,  4.2   ], dtype=float32)

    References:
      Huang and Schlag, "Deriving Activation Functions Using Integration", 2024.
      https://arxiv.org/abs/2411.13010
    """
    pos = alpha_p * x * x + beta * x
    xn = jnp.minimum(x, eps)
    # e^{xn} - 1 - x = (e^{xn} - 1 - xn) + (xn - x): the clamp's offset is exact.
    neg = alpha_n * (_expm1_minus_x(xn) + (xn - jnp.minimum(x, 0.0))) + beta * x
    return jnp.where(x > 0, pos, neg)


# --------------------------------------------------------------------------- #
# StarReLU, ACON-C, DyT
# --------------------------------------------------------------------------- #

_STAR_SCALE = 0.8944271909999159  # 1 / sqrt(1.25) = 2 / sqrt(5)
_STAR_BIAS = -0.4472135954999579  # -0.5 / sqrt(1.25) = -1 / sqrt(5)


@activation(
    "star_relu",
    family=_FAMILY,
    kind="learnable",
    formula="scale * relu(x)^2 + bias",
    kinks="star_relu'(0) = 0 (continuous)",
    domains={"scale": finite, "bias": finite},
)
def star_relu(x: jax.Array, scale: float | jax.Array = _STAR_SCALE, bias: float | jax.Array = _STAR_BIAS) -> jax.Array:
    r"""StarReLU: a scaled and shifted squared ReLU.

    .. math::
      \mathrm{star\_relu}(x) = s\,\mathrm{relu}(x)^2 + b

    The defaults :math:`s = 1/\sqrt{1.25} \approx 0.8944` and
    :math:`b = -0.5/\sqrt{1.25} \approx -0.4472` give zero mean and unit variance
    for standard normal input (the paper's derivation).

    Args:
      x: input array.
      scale: :math:`s`. Default 0.8944271909999159. May be traced.
      bias: :math:`b`. Default -0.4472135954999579. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.star_relu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.4472, -0.4472,  3.1305 ], dtype=float32)

    References:
      Yu, Si, Zhou, Yu, Zhou, Feng and Yan, "MetaFormer Baselines for Vision",
      2022. https://arxiv.org/abs/2210.13452

    Note:
      The reference code's layer starts from scale 1 and bias 0; the Flax
      layers here start from the derived values above.
    """
    r = jnp.where(x > 0, x, jnp.zeros_like(x))
    return scale * (r * r) + bias


def _acon_rule(x: jax.Array, p1: jax.Array, p2: jax.Array, beta: jax.Array) -> jax.Array:
    d = p1 - p2
    u = beta * (d * x)
    # p2 + d s(u) (1 + u s(-u)) for u < 0; for u >= 0 the same as p1 - d s(-u) (1 - u s(u)), which tends to
    # p1 without cancelling (and without inf * 0 = NaN at u = inf): u s(-u) is taken through the exact tail.
    neg = d * _mul_sigmoid(1.0 + u * _sigmoid(-u), u) + p2
    us = jnp.where(u >= 0, u, 0.0)
    pos = p1 - d * (_sigmoid(-us) - _sigmoid(us) * _mul_sigmoid(us, -us))
    return jnp.where(u >= 0, pos, neg)


def _acon_small(dx: jax.Array, x: jax.Array, d: jax.Array, v: jax.Array) -> jax.Array:
    """``d x s(v)`` with ``dx = d * x``: exact in the tail, and finite where only the product d * x overflowed."""
    ok = jnp.isfinite(dx) | ~jnp.isfinite(x)
    return jnp.where(ok, _mul_sigmoid(jnp.where(ok, dx, 0.0), v), jnp.where(ok, 0.0, x) * _mul_sigmoid(d, v))


# d/dx of d x s(beta d x): written with s(u) s(-u), as swish_beta, to keep it exact in the tails.
@derivative(_acon_rule)
def _acon_c(x: jax.Array, p1: jax.Array, p2: jax.Array, beta: jax.Array) -> jax.Array:
    d = p1 - p2
    dx = d * x
    u = beta * dx
    # Where the gate is on (u >= 0): p1 x - d x s(-u), else p2 x + d x s(u) (the same value, as s(u) = 1 - s(-u)).
    # The large part is then p_i x, finite when the value is: d x s(u) + p2 x overflows to inf - inf at
    # x = -3.4e38, p2 = 3.  A slope of 0 gives exactly 0 (0 * inf would be NaN at x = +-inf).
    on = u >= 0
    p = jnp.where(on, p1, p2)
    big = jnp.where(p == 0, 0.0, p * x)
    small = _acon_small(dx, x, d, jnp.where(on, -u, u))
    return jnp.where(on, big - small, big + small)


@activation(
    "acon_c",
    family=_FAMILY,
    kind="learnable",
    formula="(p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x",
    domains={"p1": finite, "p2": finite, "beta": finite},
)
def acon_c(
    x: jax.Array, p1: float | jax.Array = 1.0, p2: float | jax.Array = 0.0, beta: float | jax.Array = 1.0
) -> jax.Array:
    r"""ACON-C: "activate or not", a smooth learned switch between two slopes.

    .. math::
      \mathrm{acon\_c}(x) = (p_1 - p_2)\,x\,\sigma\big(\beta (p_1 - p_2) x\big) + p_2 x

    ``p1=1, p2=0`` is :func:`swish_beta`; ``beta -> inf`` tends to
    :math:`\max(p_1 x, p_2 x)`.  Smooth everywhere.  Computed as
    :math:`p_1 x - (p_1 - p_2) x \sigma(-u)` where the gate is on (:math:`u \ge 0`)
    and :math:`p_2 x + (p_1 - p_2) x \sigma(u)` where it is off, so the large term
    never cancels an overflowed one (``acon_c(-3.4e38, p2=3) = -3.4e38``).

    Args:
      x: input array.
      p1, p2: the two slopes. Defaults 1.0 and 0.0. May be traced.
      beta: the switching factor. Default 1.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.acon_c(jnp.array([-1.0, 0.0, 2.0]), p1=1.0, p2=0.25, beta=2.0)
      Array([-0.3868,  0.    ,  1.9289 ], dtype=float32)

    References:
      Ma, Zhang, Liu, Zhang and Sun, "Activate or Not: Learning Customized
      Activation", 2021. https://arxiv.org/abs/2009.04759

    Note:
      The reference code initialises p1 and p2 from a standard normal; the
      Flax layers here start from 1 and 0 (swish), pass ``p1_init=`` to change it.
    """
    return _acon_c(x, p1, p2, beta)


# d/dx w tanh(ax) = w a sech^2(ax): autodiff's 1 - tanh^2 cancels to 0 for |ax| > 9.
@derivative(lambda x, a, w, b: w * a * _sech2(a * x))
def _dyt(x: jax.Array, alpha: jax.Array, weight: jax.Array, bias: jax.Array) -> jax.Array:
    return weight * jnp.tanh(alpha * x) + bias


@activation(
    "dyt",
    family=_FAMILY,
    kind="learnable",
    formula="weight * tanh(alpha * x) + bias",
    domains={"alpha": finite, "weight": finite, "bias": finite},
)
def dyt(
    x: jax.Array, alpha: float | jax.Array = 0.5, weight: float | jax.Array = 1.0, bias: float | jax.Array = 0.0
) -> jax.Array:
    r"""Dynamic tanh (DyT), the element-wise replacement for layer normalization.

    .. math::
      \mathrm{dyt}(x) = w \tanh(\alpha x) + b

    In the paper :math:`\alpha` is one scalar (initial value 0.5) and
    :math:`w, b` are per channel (ones and zeros).  The derivative is computed
    with :math:`\mathrm{sech}^2` in a form that does not cancel in the tails.

    Args:
      x: input array.
      alpha: the input scale. Default 0.5. May be traced.
      weight: the output scale (per channel). Default 1.0. May be traced.
      bias: the output shift (per channel). Default 0.0. May be traced.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.dyt(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.4621,  0.    ,  0.7616 ], dtype=float32)

    References:
      Zhu, Chen, He, LeCun and Liu, "Transformers without Normalization", 2025.
      https://arxiv.org/abs/2503.10622
    """
    return _dyt(x, alpha, weight, bias)


# --------------------------------------------------------------------------- #
# Dice (the pure part: the layer supplies the statistics)
# --------------------------------------------------------------------------- #


def _dice_rule(x: jax.Array, alpha: jax.Array, mean: jax.Array, var: jax.Array, epsilon: jax.Array) -> jax.Array:
    r = jax.lax.rsqrt(var + epsilon)
    u = (x - mean) * r
    return alpha + _mul_sigmoid((1.0 - alpha) * (1.0 + x * r * _sigmoid(-u)), u)


# d/dx = alpha + (1 - alpha) p (1 + x r (1 - p)), with the gate's tail kept exact (see _mul_sigmoid).
@derivative(_dice_rule)
def _dice(x: jax.Array, alpha: jax.Array, mean: jax.Array, var: jax.Array, epsilon: jax.Array) -> jax.Array:
    u = (x - mean) * jax.lax.rsqrt(var + epsilon)
    return alpha * x + _mul_sigmoid((1.0 - alpha) * x, u)


@activation(
    "dice",
    family=_FAMILY,
    kind="learnable",
    formula="x * (alpha + (1 - alpha) * sigmoid((x - mean) / sqrt(var + epsilon)))",
    domains={"alpha": finite, "mean": finite, "var": nonnegative, "epsilon": positive},
)
def dice(
    x: jax.Array,
    alpha: float | jax.Array = 0.0,
    mean: float | jax.Array = 0.0,
    var: float | jax.Array = 1.0,
    epsilon: float | jax.Array = 1e-8,
) -> jax.Array:
    r"""Dice, the data-adaptive activation of DIN (given the statistics).

    .. math::
      p(x) = \sigma\!\left(\frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}\right), \qquad
      \mathrm{dice}(x) = p(x)\,x + (1 - p(x))\,\alpha x

    ``mean`` and ``var`` are the batch statistics in training and the running
    ones at inference: the :class:`jax_activations.linen.Dice` /
    :class:`jax_activations.nnx.Dice` layers keep them.  With
    ``alpha=0, mean=0, var=1, epsilon=0`` this is silu.

    Args:
      x: input array.
      alpha: the slope of the "off" state (per channel). Default 0.0.
      mean, var: the statistics :math:`\mu, \sigma^2` (per channel). Defaults 0.0, 1.0.
      epsilon: added to the variance. Default 1e-8 (the paper's value).

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.dice(jnp.array([-1.0, 0.0, 2.0]), alpha=0.1)
      Array([-0.3420,  0.    ,  1.7854 ], dtype=float32)

    References:
      Zhou, Zhu, Song, Fan, Zhu, Ma, Yan, Jin, Li and Gai, "Deep Interest
      Network for Click-Through Rate Prediction", 2018. https://arxiv.org/abs/1706.06978
    """
    return _dice(x, alpha, mean, var, epsilon)
