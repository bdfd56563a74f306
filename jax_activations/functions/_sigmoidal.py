"""The sigmoidal family: sigmoid, log_sigmoid, tanh, tanh_shrink, softsign, softplus, sparse_plus, squareplus.

Every derivative here is written out (``_numerics.derivative``) because plain
autodiff loses it somewhere: ``s(1 - s)`` is 0 for x > 16.6, ``1 - tanh(x)**2``
is 0 for abs(x) > 9, ``expm1``'s jvp ``ans + 1`` is 0 past 17, and
``squareplus``' ``1/s - x**2/s**3`` cancels.  The derivative rules carry their
own rules in turn, so second derivatives (Hessians) stay accurate too.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from jax_activations._numerics import derivative, flag
from jax_activations._registry import activation, nonnegative, positive

__all__ = [
    "log_sigmoid",
    "sigmoid",
    "softplus",
    "softsign",
    "sparse_plus",
    "squareplus",
    "tanh",
    "tanh_shrink",
]


# --------------------------------------------------------------------------- #
# Shared pieces (each with an accurate derivative of its own)
# --------------------------------------------------------------------------- #


# 1 - e^{-t} = t h(t) on [0, 1/2]: h a degree-5 fit (relative error 0.12 ULP, leading coefficient exactly 1).
_EXPM1_H = (1.0, -0.4999998211860657, 0.16666224598884583, -0.041629090905189514, 0.008187389001250267)
_EXPM1_H5 = -0.001121637411415577


# (1 - e^{-t})' = e^{-t}: autodiff of expm1 uses ans + 1, which is 0 for t > 17.
@derivative(lambda t: jnp.exp(-t))
def _one_minus_exp_neg(t: jax.Array) -> jax.Array:
    """1 - e^{-t} for t >= 0 (or NaN): XLA's CPU expm1 costs about two exps; this, one exp and 5 FMAs."""
    if t.dtype == jnp.float64:  # the polynomial is fitted to float32 accuracy
        return -jnp.expm1(-t)
    h = _EXPM1_H5
    for c in reversed(_EXPM1_H):
        h = h * t + c
    # t h(t) below 1/2; above, e^{-t} <= 0.61 and 1 - e^{-t} cancels at most 1.5x its one-ULP error
    return jnp.where(t < 0.5, t * h, 1.0 - jnp.exp(-t))


# log1p(t) = t P(t) / Q(t) on [0, 1], P and Q cubics fitted for relative error (0.15 ULP with these float32
# coefficients; all positive: no cancellation). 6 FMAs and one divide, where XLA's CPU log1p costs about two exps.
_LOG1P_P = (1.0, 1.0662178993225098, 0.2381572723388672, 0.0034172742161899805)
_LOG1P_Q = (1.0, 1.5662177801132202, 0.6879357695579529, 0.07528718560934067)


def _log1p_unit(t: jax.Array) -> jax.Array:
    """log(1 + t) for t in [0, 1] (and NaN): all softplus and log_sigmoid need, with t = e^{-|x|}."""
    if t.dtype == jnp.float64:  # the rational is fitted to float32 accuracy
        return jnp.log1p(t)
    p0, p1, p2, p3 = _LOG1P_P
    q0, q1, q2, q3 = _LOG1P_Q
    p = ((p3 * t + p2) * t + p1) * t + p0
    q = ((q3 * t + q2) * t + q1) * t + q0
    return (t * p) / q  # one divide with one user: XLA fuses it (a divide used twice costs a second pass)


# s'(x) s(-x)-form's own derivative: s''(x) = -s(x) s(-x) tanh(x/2); the product rule cancels near 0.
@derivative(lambda x: -_dsigmoid(x) * jnp.tanh(0.5 * x))
def _dsigmoid(x: jax.Array) -> jax.Array:
    t = jnp.exp(-jnp.abs(x))
    return t / jnp.square(1.0 + t)  # s(x) s(-x) = e^{-|x|} / (1 + e^{-|x|})^2: one exp instead of two logistics


# sigmoid'(x) = s(x) s(-x): the usual s(1 - s) is 0 for x > 16.6 (s rounds to 1).
@derivative(_dsigmoid)
def _sigmoid(x: jax.Array) -> jax.Array:
    return jax.lax.logistic(x)


_TAIL_K = 5.0  # integer shift for the far tail: 4 e^-5 rounds to float32 with a relative error of 1e-10
_4_EXP_NEG_K = 4.0 * math.exp(-_TAIL_K)


def _sech2_times(x: jax.Array, m: float) -> jax.Array:
    """m sech^2(x) = (2h r) (2m h r) with h = e^{-|x|}, r = 1 / (1 + h^2): one exp, one divide, no selects.

    2h r is sech(x) itself (no cancellation, no overflow).  h stays normal up to |x| = 87.3 and each factor
    is about 2h, so their product only flushes to 0 where the true m sech^2 (about 4m e^{-2|x|}) is below the
    smallest normal float: no far-tail shift is needed (e^{-2|x|} itself would flush from |x| = 43.7).
    """
    h = jnp.exp(-jnp.abs(x))
    hb = jax.lax.optimization_barrier(h)  # else XLA rewrites h * h as a second exp, exp(-2|x|)
    hr = h * (1.0 / (1.0 + hb * hb))
    return (2.0 * hr) * ((2.0 * m) * hr)


# tanh'' = -2 tanh sech^2 written out: autodiff of the sech^2 product would cancel near 0.
@derivative(lambda x: -jnp.tanh(x) * _sech2_times(x, 2.0))
def _sech2(x: jax.Array) -> jax.Array:
    return _sech2_times(x, 1.0)


# tanh'(x) = sech^2(x): the usual 1 - tanh^2 is 0 for abs(x) > 9.
@derivative(_sech2)
def _tanh(x: jax.Array) -> jax.Array:
    return jnp.tanh(x)


# Lambert's continued fraction for tanh, truncated after t^2/11 and multiplied out (exact integer coefficients):
# tanh(t) = t N(s) / Q(s) and t - tanh(t) = t^3 P(s) / Q(s), s = t^2. All coefficients are positive (no
# cancellation) and the truncation error is below 1.4e-9 relative for t <= 1. One divide instead of five.
def _lambert(t: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """N(s), P(s), Q(s) for s = min(t, 1)^2 (clamped: no overflow in the unused branch)."""
    ts = jnp.minimum(t, 1.0)
    s = ts * ts
    n = (21.0 * s + 1260.0) * s + 10395.0
    p = (s + 189.0) * s + 3465.0
    q = ((s + 210.0) * s + 4725.0) * s + 10395.0
    return n, p, q


# An accurate tanh (about 1-2 ULP; XLA's CPU tanh is about 4 ULP), used where its error would be squared.
@derivative(_sech2)
def _tanh_accurate(x: jax.Array) -> jax.Array:
    t = jnp.abs(x)
    small = t < 1.0
    n, _, q = _lambert(t)
    e = jnp.exp(-2.0 * t)
    # t N/Q below 1; (1 - e)/(1 + e) above (e <= 0.14: no cancellation); one divide of selected operands
    num = jnp.where(small, t * n, 1.0 - e)
    return jnp.copysign(num / jnp.where(small, q, 1.0 + e), x)


# --------------------------------------------------------------------------- #
# sigmoid, log_sigmoid
# --------------------------------------------------------------------------- #


# lean: sigmoid' = y (1 - y) from the output (jax.nn's rule; 0 above x = 16.6).
_sigmoid_lean = derivative(lambda y: y * (1.0 - y), uses="y")(_sigmoid.fun)


@activation(
    "sigmoid",
    family="sigmoidal",
    formula="1 / (1 + exp(-x))",
    static=("lean",),
    domains={"lean": flag},
)
def sigmoid(x: jax.Array, *, lean: bool = False) -> jax.Array:
    r"""Logistic sigmoid.

    .. math::
      \sigma(x) = \frac{1}{1 + e^{-x}}

    The derivative is computed as :math:`\sigma(x)\,\sigma(-x)`, exact in both
    tails (the usual :math:`\sigma(1-\sigma)` rounds to 0 for :math:`x > 16.6` in
    float32), and the second derivative as
    :math:`-\sigma(x)\sigma(-x)\tanh(x/2)`. Smooth; no kinks.

    Args:
      x: input array.
      lean: if True, the derivative is computed from the output alone
        (:math:`y(1 - y)`, as ``jax.nn`` does), so reverse mode keeps only the
        output, which the next layer keeps anyway: no extra memory in
        training. It then loses accuracy where the output saturates
        (relative error :math:`\approx 2^{-24}/(1 - y)`, and 0 above
        :math:`x = 16.6`). The default keeps the input and is exact there.
        Static.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.sigmoid(jnp.array([-1.0, 0.0, 2.0]))
      Array([0.26894143, 0.5       , 0.880797  ], dtype=float32)

    Note:
      Values equal those of ``jax.nn.sigmoid``, Keras and PyTorch; the gradient
      differs only where theirs has rounded to 0. Reverse mode saves the input
      ``x`` (the tails need it), where jax.nn saves the output (``lean=True``
      does the same).
    """
    return _sigmoid_lean(x) if lean else _sigmoid(x)


@derivative(lambda y: _one_minus_exp_neg(-y), uses="y")
def _log_sigmoid(x: jax.Array) -> jax.Array:
    # log s(x) = min(x, 0) - log1p(exp(-|x|)): no overflow, exact in both tails.
    return jnp.minimum(x, 0.0) - _log1p_unit(jnp.exp(-jnp.abs(x)))


@activation(
    "log_sigmoid",
    family="sigmoidal",
    formula="-softplus(-x) = log(1 / (1 + exp(-x)))",
)
def log_sigmoid(x: jax.Array) -> jax.Array:
    r"""Logarithm of the logistic sigmoid.

    .. math::
      \log\sigma(x) = -\log(1 + e^{-x}) = \min(x, 0) - \log(1 + e^{-|x|})

    Accurate in both tails (:math:`\approx -e^{-x}` for large :math:`x`,
    :math:`\approx x` for very negative :math:`x`). The derivative
    :math:`\sigma(-x) = 1 - e^{y}` is computed from the output :math:`y` as
    :math:`-\mathrm{expm1}(y)` (a short polynomial where :math:`1 - e^{y}`
    would cancel; exact in both tails), so reverse mode saves only the output.
    Smooth; no kinks.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.log_sigmoid(jnp.array([-1.0, 0.0, 2.0]))
      Array([-1.3132617, -0.6931472, -0.126928 ], dtype=float32)
    """
    return _log_sigmoid(x)


# --------------------------------------------------------------------------- #
# tanh, tanh_shrink
# --------------------------------------------------------------------------- #


# lean: tanh' = 1 - y^2 from the output (jax.nn's rule; 0 for |x| > 9).
_tanh_lean = derivative(lambda y: 1.0 - y * y, uses="y")(_tanh.fun)


@activation(
    "tanh",
    family="sigmoidal",
    formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))",
    static=("lean",),
    domains={"lean": flag},
)
def tanh(x: jax.Array, *, lean: bool = False) -> jax.Array:
    r"""Hyperbolic tangent.

    .. math::
      \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}

    The value is XLA's ``tanh`` (on CPU about 4 ULP in float32). The derivative
    is computed as :math:`(2h/(1+h^2))^2` with :math:`h = e^{-|x|}` (one exp, one divide),
    exact in the tails where the usual :math:`1 - \tanh^2 x` rounds to 0
    (:math:`|x| > 9`). Smooth; no kinks.

    Args:
      x: input array.
      lean: if True, the derivative is computed from the output alone
        (:math:`1 - y^2`, as ``jax.nn`` does), so reverse mode keeps only the
        output, which the next layer keeps anyway: no extra memory in
        training, and no exponential in the backward pass. It then loses
        accuracy where the output saturates (relative error
        :math:`\approx 2^{-24}/(1 - |y|)`, and 0 for :math:`|x| > 9`). The
        default keeps the input and is exact there. Static.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.tanh(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.7615942,  0.       ,  0.9640276], dtype=float32)

    Note:
      Reverse mode saves the input ``x`` (the tails need it); ``jax.nn`` saves
      the output and loses the gradient for :math:`|x| > 9` (as ``lean=True``
      does).
    """
    return _tanh_lean(x) if lean else _tanh(x)


# tanh_shrink'' = 2 tanh sech^2, with 2 sech^2 kept normal as far as the true value is.
@derivative(lambda x: _tanh_accurate(x) * _sech2_times(x, 2.0))
def _dtanh_shrink(x: jax.Array) -> jax.Array:
    return jnp.square(_tanh_accurate(x))


# tanh_shrink' = tanh(x)^2, with the accurate tanh (XLA's 4-ULP tanh would double to 8 ULP when squared).
@derivative(_dtanh_shrink)
def _tanh_shrink(x: jax.Array) -> jax.Array:
    t = jnp.abs(x)
    small = t < 1.0
    _, p, q = _lambert(t)
    e = jnp.exp(-2.0 * t)
    # below 1: t^3 P/Q (positive terms only, no cancellation); above: (t - 1) + 2e/(1 + e) (t - 1 exact);
    # one divide of selected operands serves both, and is used once (XLA will not duplicate a divide into two
    # consumers: a second use costs a second pass over the array)
    num = jnp.where(small, (t * t) * (t * p), 2.0 * e)
    return jnp.copysign(num / jnp.where(small, q, 1.0 + e) + jnp.where(small, 0.0, t - 1.0), x)


@activation(
    "tanh_shrink",
    family="sigmoidal",
    formula="x - tanh(x)",
)
def tanh_shrink(x: jax.Array) -> jax.Array:
    r"""Tanh shrink: the input minus its hyperbolic tangent.

    .. math::
      \mathrm{tanh\_shrink}(x) = x - \tanh(x)

    ``x - tanh(x)`` cancels for small :math:`|x|` (it behaves like
    :math:`x^3/3`); it is computed instead as :math:`x^3 P(x^2) / Q(x^2)` (Lambert's continued
    fraction for tanh, multiplied out; positive coefficients) for :math:`|x| < 1` and as
    :math:`(|x| - 1) + 2e/(1 + e)`, :math:`e = e^{-2|x|}`, beyond, so it is accurate to a few ULP
    everywhere. The derivative :math:`\tanh^2 x` uses an equally accurate
    ``tanh``. Smooth; no kinks.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.tanh_shrink(jnp.array([-1.0, 1e-3, 2.0]))
      Array([-2.3840584e-01,  3.3333325e-10,  1.0359725e+00], dtype=float32)

    Note:
      Keras 3's ``tanh_shrink`` and PyTorch's ``Tanhshrink`` compute
      ``x - tanh(x)`` directly, which loses every digit for :math:`|x| < 10^{-4}`;
      ``jax.nn`` has no equivalent.
    """
    return _tanh_shrink(x)


# --------------------------------------------------------------------------- #
# softsign
# --------------------------------------------------------------------------- #


def _d2softsign(x: jax.Array) -> jax.Array:
    r = 1.0 / (1.0 + jnp.abs(x))
    return ((-2.0 * jnp.sign(x)) * r) * r * r  # 2r first: r^3 alone is subnormal (flushed) from |x| = 4.4e12


# softsign'' = -2 sign(x) / (1 + |x|)^3, written out for its convention at 0 (sign(0) = 0: the mean of +-2).
@derivative(_d2softsign)
def _dsoftsign(x: jax.Array) -> jax.Array:
    r = 1.0 / (1.0 + jnp.abs(x))  # square the reciprocal: (1 + |x|)^2 would overflow for |x| > 1.8e19
    return r * r


@derivative(_dsoftsign)
def _softsign(x: jax.Array) -> jax.Array:
    # x / (1 + |x|) is inf/inf = NaN at +-inf; the limit there is +-1.
    return jnp.where(jnp.isinf(x), jnp.copysign(1.0, x), x / (1.0 + jnp.abs(x)))


@activation(
    "softsign",
    aliases=("soft_sign",),
    family="sigmoidal",
    formula="x / (1 + |x|)",
    kinks="softsign''(0) = 0 (the second derivative jumps from 2 to -2; softsign' is continuous)",
)
def softsign(x: jax.Array) -> jax.Array:
    r"""Softsign.

    .. math::
      \mathrm{softsign}(x) = \frac{x}{1 + |x|}

    Finite everywhere: ``softsign(+-inf) = +-1`` and its derivative
    :math:`1/(1+|x|)^2` is 0 there. The function is once continuously
    differentiable; the second derivative jumps at 0 and is taken as 0 there.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.softsign(jnp.array([-1.0, 0.0, 3.0, jnp.inf]))
      Array([-0.5 ,  0.  ,  0.75,  1.  ], dtype=float32)

    Note:
      ``jax.nn.soft_sign`` (an alias here), Keras and PyTorch return NaN at
      :math:`\pm\infty`.
    """
    return _softsign(x)


# --------------------------------------------------------------------------- #
# softplus
# --------------------------------------------------------------------------- #

_SHIFT = 64.0
_EXP_NEG_SHIFT = math.exp(-_SHIFT)


# softplus with beta = 1 (the default, a plain float: no custom_jvp argument for it, which would make it an array):
# e^{-|x|} only flushes where the result itself is below the smallest normal float, and +-inf give their limits
# (inf + 0, 0 + 0), so no tail shift, no inf case and no 1/beta. Derivative 1 - e^{-y} from the output y.
@derivative(_one_minus_exp_neg, uses="y")
def _softplus_1(x: jax.Array) -> jax.Array:
    return jnp.maximum(x, 0.0) + _log1p_unit(jnp.exp(-jnp.abs(x)))


# softplus' = sigmoid(beta x) = 1 - exp(-beta y), from the output y: reverse mode saves only y.
@derivative(lambda y, beta: _one_minus_exp_neg(beta * y), uses="y")
def _softplus(x: jax.Array, beta: jax.Array) -> jax.Array:
    # x = +-inf is answered at the end; computing with 0 there keeps d/dbeta free of 0 * inf = NaN
    inf = jnp.isinf(x)
    x, x_in = jnp.where(inf, 0.0, x), x
    z = beta * x
    # log(1 + e^z)/beta = max(x, 0) + log1p(e^{-|z|})/beta: no overflow of e^z, no threshold jump.
    # Far left e^z is subnormal (flushed on CPU) while e^z/beta may not be: there the exponent is shifted
    # (z + 64 is exact) and e^-64 put back after; one exp of a selected argument serves both branches.
    tail = z < -_SHIFT
    e = jnp.exp(jnp.where(tail, z + _SHIFT, -jnp.abs(z)))
    main = jnp.maximum(x, 0.0) + _log1p_unit(e) / beta
    return jnp.where(inf, jnp.maximum(x_in, 0.0), jnp.where(tail, e * (_EXP_NEG_SHIFT / beta), main))


@activation(
    "softplus",
    family="sigmoidal",
    formula="log(1 + exp(beta * x)) / beta",
    domains={"beta": positive},
)
def softplus(x: jax.Array, beta: float | jax.Array = 1.0) -> jax.Array:
    r"""Softplus, with PyTorch's sharpness ``beta``.

    .. math::
      \mathrm{softplus}(x) = \frac{1}{\beta}\log\left(1 + e^{\beta x}\right)

    Computed as :math:`\max(x, 0) + \log(1 + e^{-\beta|x|})/\beta`: no overflow,
    accurate in both tails, and no threshold (it is the exact function for every
    ``x``). The derivative :math:`\sigma(\beta x) = 1 - e^{-\beta y}` is computed
    from the output :math:`y`, so reverse mode saves only the output. Smooth; no
    kinks.

    Args:
      x: input array.
      beta: sharpness, default 1.0 (the plain softplus of Keras and jax.nn); a
        finite number > 0. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Raises:
      ValueError: ``beta`` is concrete and not a finite number > 0.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.softplus(jnp.array([-1.0, 0.0, 2.0]))
      Array([0.31326172, 0.6931472 , 2.126928  ], dtype=float32)
      >>> ja.softplus(jnp.array([0.0]), beta=2.0)
      Array([0.3465736], dtype=float32)

    Note:
      PyTorch's ``Softplus(beta, threshold=20)`` switches to ``x`` when
      ``beta * x > threshold`` (a jump of about :math:`e^{-20}/\beta`); there is no
      threshold here. Keras 3 and ``jax.nn`` have no ``beta``.
      For ``beta > 1`` the derivative is flushed to 0 where the output itself is
      below the smallest normal float (derivative below ``beta * 1.2e-38``).
    """
    return _softplus_1(x) if isinstance(beta, float) and beta == 1.0 else _softplus(x, beta)


# --------------------------------------------------------------------------- #
# sparse_plus
# --------------------------------------------------------------------------- #


# Written out so the derivative is finite at +-inf (a where over (x+1)^2 would give inf * 0 there).
@derivative(lambda x: jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0))))
def _sparse_plus(x: jax.Array) -> jax.Array:
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, 0.25 * jnp.square(x + 1.0)))


@activation(
    "sparse_plus",
    family="sigmoidal",
    formula="0 if x <= -1; (x + 1)^2 / 4 if -1 < x < 1; x if x >= 1",
    kinks="sparse_plus'(-1) = 0, sparse_plus'(1) = 1 (continuous); the second derivative is 0 at +-1",
)
def sparse_plus(x: jax.Array) -> jax.Array:
    r"""SparsePlus: a piecewise-quadratic softplus with exact zeros.

    .. math::
      \mathrm{sparse\_plus}(x) = \begin{cases} 0, & x \le -1 \\
        \tfrac14 (x + 1)^2, & -1 < x < 1 \\ x, & x \ge 1 \end{cases}

    Continuously differentiable (``sparse_plus'(-1) = 0``, ``sparse_plus'(1) = 1``);
    the second derivative is 1/2 inside :math:`(-1, 1)` and taken as 0 at
    :math:`\pm 1`. The derivative is finite at :math:`\pm\infty` (0 and 1).

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.sparse_plus(jnp.array([-2.0, 0.0, 0.5, 3.0]))
      Array([0.    , 0.25  , 0.5625, 3.    ], dtype=float32)

    References:
      Liu and Dong, "Sparse-softmax: A Simpler and Faster Alternative Softmax
      Transformation", 2021. https://arxiv.org/abs/2112.12433

    Note:
      Same values as ``jax.nn.sparse_plus`` and Keras 3; their derivative is NaN
      at :math:`\pm\infty`.
    """
    return _sparse_plus(x)


# --------------------------------------------------------------------------- #
# squareplus
# --------------------------------------------------------------------------- #

_TINY = 1.1754944e-38  # smallest normal float32


def _scaled(x: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """|x| k, b k^2, sqrt(x^2 + b) k and k, with k an exact power of two.

    k = 1 on the common path; 2^-64 where x^2 or b would overflow (|x| > 2^60, b > 2^120) and
    2^64 where both would underflow. Multiplying by a power of two is exact, and every formula
    below is a ratio of these scaled pieces, so one cheap select of k is all the scaling costs.
    """
    ax = jnp.abs(x)
    big = (ax > 2.0**60) | (b > 2.0**120)
    small = (ax < 2.0**-60) & (b < 2.0**-120)
    k = jnp.where(big, 2.0**-64, jnp.where(small, 2.0**64, 1.0))
    axs, bs = ax * k, (b * k) * k  # two steps: 2^-128 itself is subnormal in float32
    return axs, bs, jnp.sqrt(axs * axs + bs), k


def _d2squareplus(x: jax.Array, b: jax.Array) -> jax.Array:
    _, bs, ss, k = _scaled(x, b)
    t = jnp.sqrt(bs) / jnp.where(ss > 0, ss, 1.0)  # <= 1
    # b / (2 s^3) = k (sqrt(bs)/ss)^2 / (2 ss): no ss^3 (overflows); 0 at relu's corner x = b = 0
    return jnp.where(ss > 0, ((t * t) / (2.0 * ss)) * k, 0.0)


# squareplus'(-|x|) = b / (2 s (s + |x|)) = q/2 (no cancellation), squareplus'(|x|) = 1 - q/2 (q <= 1); own rule
# for squareplus''. q is scale-free, and ss (ss + axs) only overflows where q is far below the smallest float.
@derivative(_d2squareplus)
def _dsquareplus(x: jax.Array, b: jax.Array) -> jax.Array:
    axs, bs, _, k = _scaled(x, b)
    t = axs * axs + bs
    den = t + jnp.sqrt(t) * axs  # = ss (ss + axs); using the sqrt once keeps XLA's loop in one fusion
    # (b k / den) k, not b k^2 / den: b k^2 is subnormal for b < 2^-2 where |x| > 2^60 (b k / den stays <= 2^64)
    q = jnp.where(den > 0, ((b * k) / den) * k, 1.0)  # den = 0 only at x = b = 0 (relu's corner): q = 1 there
    return jnp.where(x >= 0, 1.0 - 0.5 * q, 0.5 * q)


# (x + s)/2 = relu(x) + b / (2 (s + |x|)) for either sign: positive terms only, so no cancellation for x << 0;
# one sqrt and one divide. + TINY only turns 0/0 at x = b = 0 into 0 (the scaled denominator is otherwise >= 2^-62).
@derivative(_dsquareplus)
def _squareplus(x: jax.Array, b: jax.Array) -> jax.Array:
    axs, _, ss, k = _scaled(x, b)
    q = (b * k) / ((ss + axs) + _TINY)  # b/(s + |x|); b k, not b k^2, which is subnormal for large |x|
    return jnp.maximum(x, 0.0) + 0.5 * q


# The default b = 4 (a plain float: a custom_jvp argument would make it an array) needs no power-of-two scaling:
# x^2 + 4 never underflows, and where x^2 is clamped or overflows the derivative terms are subnormal or exact.
# XLA's CPU rsqrt (1.7 ULP) is much cheaper than sqrt and divide together (they share one unit): one divide each.
_B4 = 4.0
_BIG = 2.0**126  # x^2 is clamped here: sqrt(2^126 + 4) = 2^63 < |x| for every larger x^2, so max(., |x|) picks |x|


def _rsqrt4(x: jax.Array) -> jax.Array:
    """1 / sqrt(min(x^2, 2^126) + 4): the exact 1/s below |x| = 2^63, finite (and > 0) everywhere."""
    return jax.lax.rsqrt(jnp.minimum(x * x, _BIG) + _B4)


def _d2squareplus4(x: jax.Array) -> jax.Array:
    return (0.5 * _B4) * _rsqrt4(x) / (x * x + _B4)  # b / (2 s^3) = (b/2) (1/s) / s^2; 0 only where subnormal


# squareplus' = 1 - h (x >= 0) or h (x < 0), h = b / (2 s (s + |x|)) = (b/2) / (s^2 (1 + |x|/s)) (no cancellation)
@derivative(_d2squareplus4)
def _dsquareplus4(x: jax.Array) -> jax.Array:
    h = (0.5 * _B4) / ((x * x + _B4) * (1.0 + jnp.abs(x) * _rsqrt4(x)))  # x^2 = inf: h = 0 (true h subnormal)
    return jnp.where(x >= 0.0, 1.0 - h, h)


@derivative(_dsquareplus4)
def _squareplus4(x: jax.Array) -> jax.Array:
    a = jnp.abs(x)
    t = jnp.minimum(x * x, _BIG) + _B4
    s = jnp.maximum(t * jax.lax.rsqrt(t), a)  # sqrt(x^2 + 4), also where x^2 is clamped (or inf)
    return jnp.maximum(x, 0.0) + (0.5 * _B4) / (s + a)  # relu(x) + b / (2 (s + |x|)): positive terms only


@activation(
    "squareplus",
    family="sigmoidal",
    formula="(x + sqrt(x^2 + b)) / 2",
    domains={"b": nonnegative},
    kinks="with b = 0 (relu): squareplus'(0) = 1/2, the limit of squareplus'(0) as b -> 0",
)
def squareplus(x: jax.Array, b: float | jax.Array = 4.0) -> jax.Array:
    r"""Squareplus: a softplus-like function built from a square root.

    .. math::
      \mathrm{squareplus}(x) = \frac{x + \sqrt{x^2 + b}}{2}

    For :math:`x < 0` it is computed as :math:`b / (2(\sqrt{x^2+b} - x))`, which
    does not cancel (the direct form is 0 below :math:`x \approx -8192`), and the
    square root is scaled by an exact power of two so :math:`x^2` never
    overflows. The derivative :math:`\tfrac12(1 + x/\sqrt{x^2+b})` and second
    derivative :math:`b / (2 (x^2+b)^{3/2})` are written out in the same stable
    way. Smooth for ``b > 0``; with ``b = 0`` it is relu, with derivative 1/2 at 0.

    Args:
      x: input array.
      b: curvature near 0, default 4 (the paper, jax.nn and Keras 3); a finite
        number >= 0. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Raises:
      ValueError: ``b`` is concrete and not a finite number >= 0.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.squareplus(jnp.array([-1e4, 0.0, 3.0]))
      Array([9.9999997e-05, 1.0000000e+00, 3.3027756e+00], dtype=float32)

    References:
      Barron, "Squareplus: A Softplus-Like Algebraic Rectifier", 2021.
      https://arxiv.org/abs/2112.11687

    Note:
      ``jax.nn.squareplus`` and Keras 3 compute ``(x + sqrt(x^2 + b)) / 2``
      directly: 0 for :math:`x < -8192`, NaN at :math:`-\infty` and for
      :math:`|x| > 1.8 \times 10^{19}` in the gradient.
    """
    return _squareplus4(x) if isinstance(b, float) and b == _B4 else _squareplus(x, b)
