"""The rectifiers family: relu and its piecewise-linear relatives, shrinkers and hard_* forms.

Every kink is built from an explicit ``jnp.where`` on ``x`` (never ``maximum``,
``minimum`` or ``clip``, whose ties split the gradient 0.5/0.5), so the
derivative at each kink is the one the docstring states.  Conditions are
written so that a NaN input falls into the branch that returns ``x``
(``where(x <= t, 0, x)`` rather than ``where(x > t, x, 0)``): NaN in, NaN out.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jax_activations._numerics import derivative
from jax_activations._registry import activation, finite, nonnegative, optional

__all__ = [
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "relu",
    "relu6",
    "rrelu",
    "soft_shrink",
    "sparse_sigmoid",
    "squared_relu",
    "threshold",
    "thresholded_relu",
]


def _slope_times(slope: Any, v: jax.Array) -> jax.Array:
    """``slope * v`` where a zero slope gives 0 even for ``v = +-inf`` (the limit, so relu(-inf) = 0)."""
    if isinstance(slope, (int, float)):  # a default: a Python constant, folded at trace time
        return jnp.zeros_like(v) if slope == 0 else slope * v
    # 0 * inf would be NaN; only that product is replaced, so d/dslope = v everywhere else (also at slope 0)
    return slope * jnp.where((slope == 0) & jnp.isinf(v), 0.0, v)


def _pieces(piece: Any, slope: Any) -> Any:
    """Attach the derivative of a piecewise-linear formula ``f(x, *params)``.

    ``piece(x, *params)`` says which linear piece each element is on (a bool or
    int8 array: one byte per element) and ``slope(piece, *params)`` gives that
    piece's slope. Reverse mode saves only the piece array (autodiff of nested
    ``where``s saves a mask and a float zero array per ``where``).
    """
    return derivative(slope, uses=piece)


# --------------------------------------------------------------------------- #
# relu and leaky_relu
# --------------------------------------------------------------------------- #

# relu's pieces: 0 = below the threshold (slope a), 1 = identity, 2 = flat (at/after max_value, or clipped to 0)
_BELOW, _IDENTITY, _FLAT = 0, 1, 2


def _relu_below(x: jax.Array, a: Any, t: Any, has_max: bool) -> jax.Array:
    below = x <= t  # NaN is not below: it reaches the x branch
    if not has_max:
        # Keras' slope-only case is its leaky relu, whose kink at 0 sits on the identity side
        below = jnp.where((t == 0) & (a != 0), x < t, below)
    return below


def _relu_lower(x: jax.Array, below: jax.Array, a: Any, t: Any) -> jax.Array:
    xl = jnp.where(below, x, t)  # double where: d/dslope stays finite where x = +inf
    return 0.0 - _slope_times(a, t - xl)  # a (x - t) written so a zero slope gives +0, not -0


def _relu_piece_nomax(x, a, t):
    return jnp.where(_relu_below(x, a, t, False), _BELOW, _IDENTITY).astype(jnp.int8)


def _relu_piece_max(x, a, m, t):
    flat = (x >= m) | (x <= 0)
    return jnp.where(_relu_below(x, a, t, True), _BELOW, jnp.where(flat, _FLAT, _IDENTITY)).astype(jnp.int8)


def _relu_slope(p, a, *_):
    return jnp.where(p == _BELOW, a, jnp.where(p == _IDENTITY, 1.0, 0.0))


@_pieces(_relu_piece_nomax, _relu_slope)
def _relu_nomax(x, a, t):
    below = _relu_below(x, a, t, False)
    return jnp.where(below, _relu_lower(x, below, a, t), x)


def _is_zero_constant(v: Any) -> bool:
    return isinstance(v, (int, float)) and v == 0


@_pieces(lambda x: x > 0, lambda p: jnp.where(p, 1.0, 0.0))
def _relu_plain(x):
    return jnp.where(x <= 0, 0.0, x)  # NaN stays NaN; relu'(0) = 0


@_pieces(_relu_piece_max, _relu_slope)
def _relu_max(x, a, m, t):
    # Keras clips the kept values to [0, max_value]; the ceiling itself gets gradient 0
    upper = jnp.where(x <= 0, 0.0, jnp.where(x >= m, m, x))
    below = _relu_below(x, a, t, True)
    return jnp.where(below, _relu_lower(x, below, a, t), upper)


@_pieces(lambda x, a: x < 0, lambda p, a: jnp.where(p, a, 1.0))
def _leaky(x, a):
    neg = x < 0  # NaN is not negative: it reaches the x branch
    xn = jnp.where(neg, x, 0.0)  # double where: d/dslope stays finite where x = +inf
    return jnp.where(neg, 0.0 - _slope_times(a, -xn), x)  # a x written so a zero slope gives +0, not -0


@activation(
    "relu",
    family="rectifier",
    formula="x if x > threshold (clipped to [0, max_value] if given) else negative_slope * (x - threshold)",
    kinks=(
        "relu'(threshold) = negative_slope (the x <= threshold branch; so relu'(0) = 0), except "
        "relu(x, negative_slope=a != 0)'(0) = 1 like leaky_relu; relu'(max_value) = 0"
    ),
    domains={"negative_slope": finite, "max_value": optional(nonnegative), "threshold": finite},
    arg_aliases={"alpha": "negative_slope"},
)
def relu(
    x: ArrayLike,
    negative_slope: float | jax.Array = 0.0,
    max_value: float | jax.Array | None = None,
    threshold: float | jax.Array = 0.0,
) -> jax.Array:
    r"""Rectified linear unit, with Keras 3's slope, ceiling and threshold.

    With the defaults this is :math:`\max(x, 0)`. In general (:math:`a` =
    ``negative_slope``, :math:`t` = ``threshold``, :math:`m` = ``max_value``),
    following Keras 3's algorithm step by step (keep ``x`` where ``x > t``,
    else 0; clip to :math:`[0, m]` when ``max_value`` is given; subtract
    :math:`a\,\mathrm{relu}(t - x)`):

    .. math::
      \mathrm{relu}(x) = \begin{cases}
        \min(\max(x, 0), m) \text{ (or } x \text{ without } m), & x > t \\
        a (x - t), & x \le t
      \end{cases}

    With only a slope (``threshold == 0`` and no ``max_value``) this is
    :func:`leaky_relu`, as in Keras.

    Gradient conventions: the point ``x = threshold`` belongs to the lower
    branch, so ``relu'(threshold) = negative_slope`` and ``relu'(0) = 0`` for
    the plain relu (as jax.nn, Keras and PyTorch); in the slope-only case the
    kink at 0 follows :func:`leaky_relu` (``relu'(0) = 1``, as Keras, which
    calls its leaky relu there). At the ceiling ``relu'(max_value) = 0``.

    Args:
      x: input array.
      negative_slope: slope below the threshold, default 0.0. Any finite value
        (Keras' layer asks for >= 0; the function, like Keras', does not). The
        tf.keras spelling ``alpha=`` is accepted. May be a traced array.
      max_value: ceiling, ``None`` (default, no ceiling) or a finite number
        >= 0 (``ValueError`` otherwise). Whether it is ``None`` changes the
        program; a number may be a traced array.
      threshold: values at or below it are damped, default 0.0. Any finite
        value. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> x = jnp.array([-10.0, -5.0, 0.0, 5.0, 10.0])
      >>> ja.relu(x)
      Array([ 0.,  0.,  0.,  5., 10.], dtype=float32)
      >>> ja.relu(x, negative_slope=0.5, max_value=5.0, threshold=5.0)
      Array([-7.5, -5. , -2.5,  0. ,  5. ], dtype=float32)

    Note:
      Keras 3 on JAX gives gradient 0 at a nonzero threshold and 0.5 at
      ``max_value`` (``clip`` splits ties); here they are ``negative_slope``
      and 0. ``relu(-inf, threshold=t)`` is 0 here, NaN in Keras (``x * 0``).

    References:
      Nair and Hinton, "Rectified Linear Units Improve Restricted Boltzmann
      Machines", 2010. https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf
    """
    if max_value is None and _is_zero_constant(negative_slope) and _is_zero_constant(threshold):
        return _relu_plain(x)  # the defaults: plain max(x, 0), the same numbers with less work
    if max_value is None:
        return _relu_nomax(x, negative_slope, threshold)
    return _relu_max(x, negative_slope, max_value, threshold)


@activation(
    "leaky_relu",
    family="rectifier",
    formula="x if x >= 0 else negative_slope * x",
    kinks="leaky_relu'(0) = 1 (jax.nn, Keras; PyTorch: negative_slope)",
    domains={"negative_slope": finite},
)
def leaky_relu(x: ArrayLike, negative_slope: float | jax.Array = 0.2) -> jax.Array:
    r"""Leaky rectified linear unit.

    .. math::
      \mathrm{leaky\_relu}(x) = \begin{cases} x, & x \ge 0 \\ a x, & x < 0 \end{cases}

    At the kink ``leaky_relu'(0) = 1``, as jax.nn and Keras.

    Args:
      x: input array.
      negative_slope: slope :math:`a` for ``x < 0``, default 0.2 (Keras 3's
        function). Any finite value. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.leaky_relu(jnp.array([-2.0, 0.0, 3.0]))
      Array([-0.4,  0. ,  3. ], dtype=float32)

    Note:
      The default slope differs between libraries: 0.2 here and in Keras 3's
      function, 0.3 in Keras' ``LeakyReLU`` layer, 0.01 in ``jax.nn`` and
      PyTorch. PyTorch's gradient at 0 is the slope; here it is 1.

    References:
      Maas, Hannun and Ng, "Rectifier Nonlinearities Improve Neural Network
      Acoustic Models", 2013.
      https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf
    """
    return _leaky(x, negative_slope)


# --------------------------------------------------------------------------- #
# bounded and hard forms
# --------------------------------------------------------------------------- #


@_pieces(lambda x: (x > 0) & (x < 6), lambda p: jnp.where(p, 1.0, 0.0))
def _relu6_f(x):
    return jnp.where(x <= 0, 0.0, jnp.where(x >= 6, 6.0, x))


@activation(
    "relu6",
    family="rectifier",
    formula="min(max(x, 0), 6)",
    kinks="relu6'(0) = relu6'(6) = 0",
)
def relu6(x: ArrayLike) -> jax.Array:
    r"""Rectified linear unit capped at 6.

    .. math::
      \mathrm{relu6}(x) = \min(\max(x, 0), 6)

    The gradient is 1 on the open interval :math:`(0, 6)` only:
    ``relu6'(0) = relu6'(6) = 0`` (as jax.nn, Keras and PyTorch).

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.relu6(jnp.array([-1.0, 3.0, 7.0]))
      Array([0., 3., 6.], dtype=float32)

    References:
      Krizhevsky, "Convolutional Deep Belief Networks on CIFAR-10", 2010.
      https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf
    """
    return _relu6_f(x)


@_pieces(lambda x: (x > -3) & (x < 3), lambda p: jnp.where(p, 1.0 / 6.0, 0.0))
def _hard_sigmoid_f(x):
    # (x + 3) is exact near -3, so the value keeps full relative accuracy there
    return jnp.where(x <= -3, 0.0, jnp.where(x >= 3, 1.0, (x + 3.0) / 6.0))


@activation(
    "hard_sigmoid",
    family="rectifier",
    formula="relu6(x + 3) / 6",
    kinks="hard_sigmoid'(-3) = hard_sigmoid'(3) = 0",
)
def hard_sigmoid(x: ArrayLike) -> jax.Array:
    r"""Hard sigmoid, a piecewise-linear sigmoid (Keras 3's definition).

    .. math::
      \mathrm{hard\_sigmoid}(x) = \frac{\mathrm{relu6}(x + 3)}{6}
        = \begin{cases} 0, & x \le -3 \\ (x + 3)/6, & -3 < x < 3 \\ 1, & x \ge 3 \end{cases}

    The gradient is 1/6 on :math:`(-3, 3)` and 0 elsewhere, including at
    :math:`\pm 3` (as jax.nn, Keras and PyTorch).

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.hard_sigmoid(jnp.array([-4.0, 0.0, 1.5, 4.0]))
      Array([0.  , 0.5 , 0.75, 1.  ], dtype=float32)

    Note:
      tf.keras (Keras 2) defined ``hard_sigmoid`` as ``clip(0.2 x + 0.5, 0, 1)``;
      Keras 3, jax.nn and PyTorch use ``relu6(x + 3) / 6``, as here.

    References:
      Howard et al., "Searching for MobileNetV3", 2019. https://arxiv.org/abs/1905.02244
    """
    return _hard_sigmoid_f(x)


def _dhard_silu(x: jax.Array) -> jax.Array:
    # 2x + 3 is exact near its zero x = -1.5; autodiff's (x + 3)/6 + x/6 cancels there
    return jnp.where(x <= -3, 0.0, jnp.where(x >= 3, 1.0, (2.0 * x + 3.0) / 6.0))


@derivative(_dhard_silu)
def _hard_silu(x: jax.Array) -> jax.Array:
    return jnp.where(x <= -3, 0.0, jnp.where(x >= 3, x, x * (x + 3.0) / 6.0))


@activation(
    "hard_silu",
    aliases=("hard_swish",),
    family="rectifier",
    formula="x * relu6(x + 3) / 6",
    kinks="hard_silu'(-3) = 0, hard_silu'(3) = 1 (jax.nn, Keras; PyTorch: -0.5 and 1.5)",
)
def hard_silu(x: ArrayLike) -> jax.Array:
    r"""Hard SiLU (hard swish): :math:`x` times :func:`hard_sigmoid`.

    .. math::
      \mathrm{hard\_silu}(x) = x \cdot \frac{\mathrm{relu6}(x + 3)}{6}
        = \begin{cases} 0, & x \le -3 \\ x (x + 3)/6, & -3 < x < 3 \\ x, & x \ge 3 \end{cases}

    The derivative :math:`(2x + 3)/6` is computed in that form, exact near
    its zero at :math:`x = -1.5`. At the kinks the outer branches are closed:
    ``hard_silu'(-3) = 0`` and ``hard_silu'(3) = 1`` (as jax.nn and Keras).

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.hard_silu(jnp.array([-4.0, -1.0, 1.0, 4.0]))
      Array([ 0.        , -0.33333334,  0.6666667 ,  4.        ], dtype=float32)

    Note:
      PyTorch's ``hardswish`` gradient at the kinks is -0.5 (at -3) and 1.5
      (at 3), the inner branch's.

    References:
      Howard et al., "Searching for MobileNetV3", 2019. https://arxiv.org/abs/1905.02244
    """
    return _hard_silu(x)


@_pieces(lambda x: (x > -1) & (x < 1), lambda p: jnp.where(p, 0.5, 0.0))
def _sparse_sigmoid_f(x):
    # x + 1 is exact near -1
    return jnp.where(x <= -1, 0.0, jnp.where(x >= 1, 1.0, 0.5 * (x + 1.0)))


@activation(
    "sparse_sigmoid",
    family="rectifier",
    formula="0 if x <= -1 else 1 if x >= 1 else (x + 1) / 2",
    kinks="sparse_sigmoid'(-1) = sparse_sigmoid'(1) = 0",
)
def sparse_sigmoid(x: ArrayLike) -> jax.Array:
    r"""Sparse sigmoid (Keras 3's definition): a linear ramp from -1 to 1.

    .. math::
      \mathrm{sparse\_sigmoid}(x) = \begin{cases} 0, & x \le -1 \\ (x + 1)/2, & -1 < x < 1 \\ 1, & x \ge 1 \end{cases}

    The gradient is 1/2 on :math:`(-1, 1)` and 0 elsewhere, including at
    :math:`\pm 1` (Keras' piecewise definition).

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.sparse_sigmoid(jnp.array([-2.0, 0.0, 0.5, 2.0]))
      Array([0.  , 0.5 , 0.75, 1.  ], dtype=float32)

    References:
      Martins and Astudillo, "From Softmax to Sparsemax", 2016 (the 2-D
      sparsemax, of which this is the first coordinate). https://arxiv.org/abs/1602.02068
    """
    return _sparse_sigmoid_f(x)


@_pieces(lambda x, lo, hi: (x >= lo) & (x <= hi), lambda p, lo, hi: jnp.where(p, 1.0, 0.0))
def _hard_tanh_f(x, min_val, max_val):
    return jnp.where(x > max_val, max_val, jnp.where(x < min_val, min_val, x))


@activation(
    "hard_tanh",
    family="rectifier",
    formula="min_val if x < min_val else max_val if x > max_val else x",
    kinks="hard_tanh'(min_val) = hard_tanh'(max_val) = 1 (jax.nn, Keras; PyTorch: 0)",
    domains={"min_val": finite, "max_val": finite},
    validate=lambda min_val, max_val: _check_order("hard_tanh", "min_val", min_val, "max_val", max_val),
)
def hard_tanh(x: ArrayLike, min_val: float | jax.Array = -1.0, max_val: float | jax.Array = 1.0) -> jax.Array:
    r"""Hard tanh: the identity clipped to ``[min_val, max_val]``.

    .. math::
      \mathrm{hard\_tanh}(x) = \begin{cases} \mathrm{min\_val}, & x < \mathrm{min\_val} \\
        x, & \mathrm{min\_val} \le x \le \mathrm{max\_val} \\ \mathrm{max\_val}, & x > \mathrm{max\_val} \end{cases}

    The identity branch is closed: the gradient at both ends is 1, as
    jax.nn and Keras.

    Args:
      x: input array.
      min_val: lower end, default -1.0. Finite.
      max_val: upper end, default 1.0. Finite, and ``min_val <= max_val``
        (``ValueError`` otherwise). Both may be traced arrays.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.hard_tanh(jnp.array([-2.0, 0.5, 2.0]))
      Array([-1. ,  0.5,  1. ], dtype=float32)

    Note:
      The range arguments are PyTorch's ``Hardtanh(min_val, max_val)``; Keras 3
      and jax.nn fix the range to [-1, 1]. PyTorch's gradient at the ends is 0.

    References:
      Collobert, "Large Scale Machine Learning", PhD thesis, 2004.
    """
    return _hard_tanh_f(x, min_val, max_val)


# --------------------------------------------------------------------------- #
# linear, squared relu, thresholds and shrinkers
# --------------------------------------------------------------------------- #


@activation(
    "linear",
    aliases=("identity",),
    family="rectifier",
    formula="x",
    kinks="none (linear'(x) = 1)",
)
def linear(x: ArrayLike) -> jax.Array:
    r"""The identity (Keras' ``linear``, jax.nn's ``identity``).

    .. math::
      \mathrm{linear}(x) = x

    ``get(None)`` resolves to this function, as in Keras. Integer and bool
    inputs are promoted to the default float dtype like every activation.

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.linear(jnp.array([-1.5, 0.0, 2.0]))
      Array([-1.5,  0. ,  2. ], dtype=float32)
    """
    return x


@activation(
    "squared_relu",
    family="rectifier",
    formula="relu(x) ** 2",
    kinks="squared_relu'(0) = 0 (continuously differentiable); squared_relu''(0) = 0",
)
def squared_relu(x: ArrayLike) -> jax.Array:
    r"""Squared ReLU, from the Primer architecture search.

    .. math::
      \mathrm{squared\_relu}(x) = \max(x, 0)^2

    Continuously differentiable: the derivative :math:`2\max(x, 0)` is 0 at
    0; the second derivative there is taken as 0 (the left one).

    Args:
      x: input array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.squared_relu(jnp.array([-2.0, 0.5, 3.0]))
      Array([0.  , 0.25, 9.  ], dtype=float32)

    Note:
      Neither jax.nn, Keras 3 nor PyTorch has it as a function.

    References:
      So et al., "Primer: Searching for Efficient Transformers for Language
      Modeling", 2021. https://arxiv.org/abs/2109.08668
    """
    return _squared_relu(x)


# the derivative 2 relu(x) from x: autodiff of where(...)**2 saves three arrays; from y, 2 sqrt(y) loses
# everything where x**2 under- or overflows
@derivative(lambda x: 2.0 * jnp.where(x <= 0, 0.0, x))
def _squared_relu(x: jax.Array) -> jax.Array:
    xp = jnp.where(x <= 0, 0.0, x)  # NaN stays NaN; -inf gives 0
    return xp * xp


@_pieces(lambda x, theta: x > theta, lambda p, theta: jnp.where(p, 1.0, 0.0))
def _thresholded_relu_f(x, theta):
    return jnp.where(x <= theta, 0.0, x)


@activation(
    "thresholded_relu",
    family="rectifier",
    formula="x if x > theta else 0",
    kinks="thresholded_relu'(theta) = 0 (discontinuous there unless theta = 0)",
    domains={"theta": nonnegative},
)
def thresholded_relu(x: ArrayLike, theta: float | jax.Array = 1.0) -> jax.Array:
    r"""Thresholded ReLU: keep ``x`` above ``theta``, else 0.

    .. math::
      \mathrm{thresholded\_relu}(x) = \begin{cases} x, & x > \theta \\ 0, & x \le \theta \end{cases}

    At ``x = theta`` the value is 0 and the gradient 0.

    Args:
      x: input array.
      theta: the threshold, default 1.0 (tf.keras' ``ThresholdedReLU``). A
        finite number >= 0, as tf.keras required. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.thresholded_relu(jnp.array([0.5, 1.0, 1.5]))
      Array([0. , 0. , 1.5], dtype=float32)

    Note:
      Keras 3 dropped the ``ThresholdedReLU`` layer; ``relu(x, threshold=theta)``
      gives the same values. jax.nn and PyTorch have no such function
      (PyTorch's ``Threshold(theta, 0)`` is the same).

    References:
      Konda, Memisevic and Krueger, "Zero-bias autoencoders and the benefits of
      co-adapting features", 2014. https://arxiv.org/abs/1402.3337
    """
    return _thresholded_relu_f(x, theta)


@_pieces(lambda x, t, v: x > t, lambda p, t, v: jnp.where(p, 1.0, 0.0))
def _threshold_f(x, threshold, default_value):
    return jnp.where(x <= threshold, default_value, x)


@activation(
    "threshold",
    family="rectifier",
    formula="x if x > threshold else default_value",
    kinks="threshold'(threshold) = 0 (the default_value branch)",
    domains={"threshold": finite, "default_value": finite},
)
def threshold(x: ArrayLike, threshold: float | jax.Array = 0.0, default_value: float | jax.Array = 0.0) -> jax.Array:
    r"""Keep ``x`` above ``threshold``, replace the rest by ``default_value`` (Keras 3).

    .. math::
      \mathrm{threshold}(x) = \begin{cases} x, & x > t \\ v, & x \le t \end{cases}

    At ``x = threshold`` the value is ``default_value`` and the gradient 0.

    Args:
      x: input array.
      threshold: :math:`t`, default 0.0. Finite. May be a traced array.
      default_value: :math:`v`, default 0.0. Finite. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.threshold(jnp.array([-1.0, 0.0, 1.0, 2.0]), 1.0, -5.0)
      Array([-5., -5., -5.,  2.], dtype=float32)

    Note:
      Keras 3 (``keras.activations.threshold(x, threshold, default_value)``)
      and PyTorch (``threshold(x, threshold, value)``) require both arguments;
      here they default to 0.0 (then it is a relu) so that ``get("threshold")``
      is a usable activation. Every Keras call runs unchanged.
    """
    return _threshold_f(x, threshold, default_value)


@_pieces(lambda x, lam: jnp.abs(x) > lam, lambda p, lam: jnp.where(p, 1.0, 0.0))
def _hard_shrink_f(x, threshold):
    return jnp.where(jnp.abs(x) <= threshold, 0.0, x)


@activation(
    "hard_shrink",
    family="rectifier",
    formula="x if abs(x) > threshold else 0",
    kinks="hard_shrink'(+-threshold) = 0 (discontinuous there)",
    domains={"threshold": nonnegative},
)
def hard_shrink(x: ArrayLike, threshold: float | jax.Array = 0.5) -> jax.Array:
    r"""Hard shrinkage: zero out the band :math:`[-\lambda, \lambda]`.

    .. math::
      \mathrm{hard\_shrink}(x) = \begin{cases} x, & |x| > \lambda \\ 0, & |x| \le \lambda \end{cases}

    At :math:`x = \pm\lambda` the value is 0 and the gradient 0 (as PyTorch).

    Args:
      x: input array.
      threshold: :math:`\lambda`, default 0.5 (Keras 3 and PyTorch's ``lambd``).
        A finite number >= 0. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.hard_shrink(jnp.array([-1.0, 0.5, 0.75]))
      Array([-1.  ,  0.  ,  0.75], dtype=float32)

    References:
      Donoho and Johnstone, "Ideal spatial adaptation by wavelet shrinkage", 1994.
    """
    return _hard_shrink_f(x, threshold)


@_pieces(lambda x, lam: jnp.abs(x) > lam, lambda p, lam: jnp.where(p, 1.0, 0.0))
def _soft_shrink_f(x, lam):
    # x - lam is exact near the kink (Sterbenz); NaN fails abs(x) <= lam and x > 0, so it stays NaN
    shrunk = jnp.where(x > 0, x - lam, x + lam)
    return jnp.where(jnp.abs(x) <= lam, 0.0, shrunk)


@activation(
    "soft_shrink",
    family="rectifier",
    formula="x - threshold if x > threshold else x + threshold if x < -threshold else 0",
    kinks="soft_shrink'(+-threshold) = 0",
    domains={"threshold": nonnegative},
)
def soft_shrink(x: ArrayLike, threshold: float | jax.Array = 0.5) -> jax.Array:
    r"""Soft shrinkage (soft thresholding): move ``x`` towards 0 by :math:`\lambda`.

    .. math::
      \mathrm{soft\_shrink}(x) = \begin{cases} x - \lambda, & x > \lambda \\
        0, & |x| \le \lambda \\ x + \lambda, & x < -\lambda \end{cases}

    At :math:`x = \pm\lambda` the gradient is 0 (the band's, as PyTorch and Keras).

    Args:
      x: input array.
      threshold: :math:`\lambda`, default 0.5 (Keras 3 and PyTorch's ``lambd``).
        A finite number >= 0. May be a traced array.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.soft_shrink(jnp.array([-1.0, 0.25, 2.0]))
      Array([-0.5,  0. ,  1.5], dtype=float32)

    References:
      Donoho, "De-noising by soft-thresholding", 1995.
    """
    return _soft_shrink_f(x, threshold)


# --------------------------------------------------------------------------- #
# randomized leaky relu
# --------------------------------------------------------------------------- #


def _check_order(fname: str, lo_name: str, lo: Any, hi_name: str, hi: Any) -> None:
    if lo is None or hi is None:  # traced: nothing to check now
        return
    if not bool(np.all(np.asarray(lo) <= np.asarray(hi))):
        raise ValueError(
            f"{fname}: {lo_name}={lo!r} and {hi_name}={hi!r} are not allowed; expected {lo_name} <= {hi_name}"
        )


def _validate_rrelu(key: Any, lower: Any, upper: Any, deterministic: bool) -> None:
    if not isinstance(deterministic, (bool, np.bool_)):
        raise TypeError(f"rrelu: deterministic={deterministic!r} has the wrong type; expected True or False")
    _check_order("rrelu", "lower", lower, "upper", upper)


@activation(
    "rrelu",
    family="rectifier",
    kind="random",
    formula="x if x >= 0 else a * x, a ~ U(lower, upper) per element (training) or (lower + upper) / 2",
    kinks="rrelu'(0) = 1, as leaky_relu (PyTorch: the slope)",
    domains={"lower": nonnegative, "upper": nonnegative},
    validate=_validate_rrelu,
    static=("deterministic",),
    raw=("key",),
)
def rrelu(
    x: ArrayLike,
    key: jax.Array | None = None,
    lower: float | jax.Array = 1.0 / 8.0,
    upper: float | jax.Array = 1.0 / 3.0,
    deterministic: bool = True,
) -> jax.Array:
    r"""Randomized leaky ReLU (PyTorch's ``rrelu``).

    .. math::
      \mathrm{rrelu}(x) = \begin{cases} x, & x \ge 0 \\ a x, & x < 0 \end{cases},
      \qquad a \sim U(\mathrm{lower}, \mathrm{upper}) \text{ per element, or }
      a = \frac{\mathrm{lower} + \mathrm{upper}}{2} \text{ when deterministic}

    With ``deterministic=True`` (the default, evaluation) or no ``key`` this is
    :func:`leaky_relu` with the mean slope (11/48 for the defaults). With
    ``deterministic=False`` each element draws its own slope from ``key``;
    the same key gives the same slopes. The gradient is 1 at 0, as
    :func:`leaky_relu`.

    Args:
      x: input array.
      key: a JAX PRNG key (``jax.random.key`` or ``PRNGKey``), needed when
        ``deterministic=False``; passed through unchanged.
      lower: smallest slope, default 1/8. A finite number >= 0.
      upper: largest slope, default 1/3. A finite number >= ``lower``
        (``ValueError`` otherwise). Both may be traced arrays.
      deterministic: static; ``True`` uses the mean slope, ``False`` draws
        slopes (then ``key`` is required: ``ValueError`` without it).

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.rrelu(jnp.array([-4.8, 2.0]))
      Array([-1.1,  2. ], dtype=float32)
      >>> y = ja.rrelu(jnp.full(4, -1.0), jax.random.key(0), deterministic=False)
      >>> bool(jnp.all((y <= -1 / 8) & (y >= -1 / 3)))
      True

    Note:
      PyTorch calls the flag ``training`` (the inverse of ``deterministic``,
      Flax's spelling) and its gradient at 0 is the slope.

    References:
      Xu et al., "Empirical Evaluation of Rectified Activations in
      Convolutional Network", 2015. https://arxiv.org/abs/1505.00853
    """
    if not deterministic and key is None:
        raise ValueError(
            "rrelu: key=None is not allowed with deterministic=False; pass a PRNG key (jax.random.key(...))"
        )
    if deterministic or key is None:
        slope = (lower + upper) / 2
    else:
        slope = jax.random.uniform(key, jnp.shape(x), dtype=x.dtype, minval=lower, maxval=upper)
    return _leaky(x, slope)
