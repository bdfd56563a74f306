"""The exponential family: elu, selu, celu and exponential."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jax_activations._numerics import derivative
from jax_activations._registry import activation, finite, positive

__all__ = ["elu"]

# SELU constants (Klambauer et al. 2017), to full double precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# elu'(x) = alpha*exp(x) for x <= 0: autodiff of expm1 gives y + alpha, which is 0 below x = -17.
@derivative(lambda x, alpha: jnp.where(x > 0, 1.0, alpha * jnp.exp(jnp.minimum(x, 0.0))))
def _elu(x: jax.Array, alpha: jax.Array) -> jax.Array:
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.minimum(x, 0.0)))


@activation(
    "elu",
    family="exponential",
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    kinks="elu'(0) = alpha (the left derivative; continuous when alpha = 1)",
    domains={"alpha": finite},
)
def elu(x: jax.Array, alpha: float | jax.Array = 1.0) -> jax.Array:
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
    return _elu(x, alpha)
