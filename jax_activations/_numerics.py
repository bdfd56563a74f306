"""Shared numerical helpers: dtype rules, float32 opmath and gradient rules.

Every activation is written once as a formula on a *compute* array (float32 for
half-precision inputs) and wrapped by :func:`jax_activations._registry.activation`,
which applies the dtype rules below.  Gradients that plain autodiff gets wrong are
attached with :func:`derivative`, which keeps the backward pass lean: the tangent
is computed under :func:`jax.checkpoint` from exactly one saved array (the input
``x`` or the output ``y``), so reverse mode stores that array and nothing else,
while forward mode (``jvp``, ``jacfwd``, ``hessian``) keeps working.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

__all__ = [
    "compute_dtype",
    "derivative",
    "double_where",
    "HALF_DTYPES",
    "flag",
    "output_dtype",
]

_HALF = (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))
HALF_DTYPES = _HALF  # computed in float32, rounded once


def output_dtype(dtype: Any) -> jnp.dtype:
    """The dtype an activation returns for an input of ``dtype``.

    Floating inputs keep their dtype; integer and bool inputs are promoted to the
    default float dtype (float32, or float64 under ``jax_enable_x64``); complex
    inputs raise ``TypeError``.
    """
    dtype = jnp.dtype(dtype)
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise TypeError(
            f"x: complex input (dtype {dtype}) is not supported; activations take real floating, integer or bool arrays"
        )
    if jnp.issubdtype(dtype, jnp.floating):
        return dtype
    if jnp.issubdtype(dtype, jnp.integer) or dtype == jnp.bool_:
        return jnp.dtype(jnp.result_type(float))
    raise TypeError(f"x: unsupported dtype {dtype}; expected a real floating, integer or bool array")


def compute_dtype(dtype: Any) -> jnp.dtype:
    """float16/bfloat16 are computed in float32 and rounded once at the end."""
    dtype = jnp.dtype(dtype)
    return jnp.dtype(jnp.float32) if dtype in _HALF else dtype


def double_where(cond: jax.Array, x: jax.Array, safe: float | jax.Array) -> jax.Array:
    """``where(cond, x, safe)`` for use *before* a function that is undefined off ``cond``.

    Feeding only the branch's own domain to each branch keeps both the value and
    the gradient of the discarded branch finite (the "double where" idiom).
    """
    return jnp.where(cond, x, safe)


def _is_zero(t: Any) -> bool:
    return isinstance(t, SymbolicZero)


def param_tangent(formula: Callable[..., jax.Array], x: jax.Array, params: Any, tparams: Any) -> jax.Array | None:
    """The tangent of ``formula(x, *params)`` along the parameters that have one (``None`` if none do).

    Used by custom derivative rules: derivatives with respect to hyperparameters
    (learnable slopes, alphas) come from autodiff of the formula itself, and only
    when they are asked for (symbolic-zero tangents are skipped).
    """
    live = [i for i, t in enumerate(tparams) if not _is_zero(t)]
    if not live:
        return None

    def of_params(*ps):
        full = list(params)
        for i, p in zip(live, ps, strict=True):
            full[i] = p
        return formula(x, *full)

    _, tp = jax.jvp(of_params, tuple(params[i] for i in live), tuple(tparams[i] for i in live))
    return tp


def derivative(
    rule: Callable[..., jax.Array],
    *,
    uses: str | Callable[..., jax.Array] = "x",
) -> Callable[[Callable[..., jax.Array]], Callable[..., jax.Array]]:
    """Attach an analytic derivative ``df/dx`` to a formula ``f(x, *params)``.

    ``rule`` receives ``x`` (``uses="x"``), the output ``y`` (``uses="y"``) or
    ``uses(x, *params)`` (a callable: e.g. a one-byte index of the linear piece
    each element is on) and the parameters, and returns ``df/dx`` elementwise.  The tangent is computed
    under :func:`jax.checkpoint`, so reverse mode saves only that one array and
    recomputes the coefficient in the backward pass.  Derivatives with respect
    to the parameters come from autodiff of the formula itself (only when they
    are asked for).  The rule must itself be differentiable (Hessians use it).
    """
    if not callable(uses) and uses not in ("x", "y"):
        raise ValueError(f"uses: expected 'x', 'y' or a callable, got {uses!r}")

    def build(formula: Callable[..., jax.Array], half: Any) -> Callable[..., jax.Array]:
        # half: the half-precision dtype the caller rounds the output to (uses="y" only), else None.  The saved
        # output is then rounded to it (the very array the activation returns, so XLA keeps one buffer for
        # both) and widened again inside the checkpointed tangent: half the bytes of a float32 residual.
        f = jax.custom_jvp(formula)

        def linear(saved, params, tx):
            if half is not None:
                saved = saved.astype(tx.dtype)
            return rule(saved, *params) * tx

        lin = jax.checkpoint(linear)

        def jvp(primals, tangents):
            x, *params = primals
            tx, *tparams = tangents
            y = f(x, *params)
            if _is_zero(tx):
                ty = jnp.zeros_like(y)
            else:
                saved = x if uses == "x" else y if uses == "y" else uses(x, *params)
                if half is not None:
                    saved = saved.astype(half)
                ty = lin(saved, tuple(params), tx).astype(y.dtype)
            tp = param_tangent(formula, x, params, tparams)
            if tp is not None:
                ty = ty + tp
            return y, ty

        f.defjvp(jvp, symbolic_zeros=True)
        f.__doc__ = formula.__doc__
        return f

    def wrap(formula: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
        plain = build(formula, None)
        if uses != "y":
            return plain
        by_half = {h: build(formula, h) for h in _HALF}

        def call(x: jax.Array, *params: Any) -> jax.Array:
            half = output_half()
            return plain(x, *params) if half is None else by_half[half](x, *params)

        call.fun = formula  # type: ignore[attr-defined]
        call.__doc__ = formula.__doc__
        return call

    return wrap


# The half-precision dtype the activation being traced returns (set by the registry around its formula): an
# output-based rule then saves its output rounded to that dtype, i.e. the returned array itself.
_OUTPUT_HALF: contextvars.ContextVar[Any] = contextvars.ContextVar("jax_activations_output_half", default=None)


def output_half() -> Any:
    """The float16/bfloat16 dtype the activation being traced returns, or ``None`` (see ``output_dtype_context``)."""
    return _OUTPUT_HALF.get()


@contextlib.contextmanager
def output_dtype_context(dtype: Any) -> Iterator[None]:
    """While tracing an activation that returns ``dtype``: tells output-based rules to save half-precision."""
    d = jnp.dtype(dtype)
    token = _OUTPUT_HALF.set(d if d in _HALF else None)
    try:
        yield
    finally:
        _OUTPUT_HALF.reset(token)


def as_compute(value: Any, dtype: jnp.dtype) -> jax.Array:
    """A numeric hyperparameter as an array in the compute dtype (never promoting x)."""
    return jnp.asarray(value, dtype=dtype)


def concrete(value: Any) -> np.ndarray | None:
    """``value`` as a NumPy array when it is known now, ``None`` for a tracer."""
    if isinstance(value, jax.core.Tracer):
        return None
    try:
        return np.asarray(value)
    except Exception:  # not array-like: the caller reports the type
        return None


def flag(v: Any) -> str | None:
    """Domain of a static on/off switch (``lean``): exactly ``True`` or ``False`` (``numpy.bool_`` too)."""
    return None if isinstance(v, (bool, np.bool_)) else "True or False"


flag.static_value = True  # type: ignore[attr-defined]
