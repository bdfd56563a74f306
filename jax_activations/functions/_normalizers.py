"""The normalizers family: softmax, log_softmax, softmin, sparsemax, entmax15 and glu.

These act along an ``axis`` (static: it changes the program) rather than
elementwise.  Each one has a ``jax.custom_jvp`` whose tangent is computed under
:func:`jax.checkpoint` from the output alone (glu: from the input alone), so the
backward pass saves one array, as ``jax.nn.softmax`` does, while ``jvp``,
``jacfwd`` and ``hessian`` keep working.

Conventions shared by the family:

* ``axis`` is an int, a tuple of distinct ints (normalize jointly over those
  axes) or ``None`` (all axes); anything else raises ``TypeError``, an axis out
  of range or a repeated axis ``ValueError``.  1-D input works (per-example code
  under ``vmap`` is 1-D); 0-D input raises ``ValueError``.
* An ``-inf`` logit never receives mass; a row whose logits are all ``-inf`` (or
  all masked) gives zeros (``log_softmax``: ``-inf``), never NaN, and a zero
  gradient (an all ``-inf`` row of ``log_softmax`` without a mask passes its
  cotangent through, as ``x - const`` does).
* A NaN or a ``+inf`` among the (unmasked) logits of a softmax-family row
  makes that whole row NaN, as in jax.nn, Keras and PyTorch (telling the
  ``+inf`` limit apart would cost a second pass over every row).  sparsemax and
  entmax15 share the mass among ``+inf`` logits.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jax_activations import _numerics
from jax_activations._registry import activation

__all__ = ["entmax15", "glu", "log_softmax", "softmax", "softmin", "sparsemax"]

Axis = int | tuple[int, ...] | None


# --------------------------------------------------------------------------- #
# Argument checks
# --------------------------------------------------------------------------- #


def _is_int(a: Any) -> bool:
    if isinstance(a, bool):
        return False
    try:
        operator.index(a)
    except TypeError:
        return False
    return True


def _check_axis_type(fname: str, axis: Any, *, allow_tuple: bool = True) -> None:
    """TypeError unless ``axis`` is an int (or a tuple of distinct ints / None)."""
    if _is_int(axis):
        return
    if allow_tuple and axis is None:
        return
    if allow_tuple and isinstance(axis, (tuple, list)) and all(_is_int(a) for a in axis):
        ints = [operator.index(a) for a in axis]
        if len(set(ints)) != len(ints):
            raise ValueError(f"{fname}: axis={tuple(axis)!r} repeats an axis; expected distinct axes")
        return
    allowed = "an int, a tuple of ints or None" if allow_tuple else "an int"
    raise TypeError(f"{fname}: axis={axis!r} has the wrong type; expected {allowed}")


def _axes(fname: str, axis: Axis, ndim: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative axes of an ``ndim``-D array."""
    _check_axis_type(fname, axis)
    if ndim == 0:
        raise ValueError(f"{fname}: x is 0-D (a scalar); expected an array with at least 1 dimension")
    if axis is None:
        return tuple(range(ndim))
    raw = tuple(operator.index(a) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    for a in raw:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{fname}: axis={axis!r} is out of range for x with ndim={ndim}; expected -{ndim} <= axis < {ndim}"
            )
    norm = tuple(a % ndim for a in raw)
    if len(set(norm)) != len(norm):
        raise ValueError(f"{fname}: axis={axis!r} names the same axis twice for x with ndim={ndim}")
    return tuple(sorted(norm))


def _validate_axis(fname: str) -> Callable[..., None]:
    def check(axis: Any = -1, **_: Any) -> None:
        _check_axis_type(fname, axis)

    return check


def _mask(fname: str, where: Any, shape: tuple[int, ...]) -> jax.Array | None:
    """The ``where=`` mask as a boolean array broadcastable to ``shape`` (or None)."""
    if where is None:
        return None
    m = jnp.asarray(where)
    if not (m.dtype == jnp.bool_ or jnp.issubdtype(m.dtype, jnp.integer)):
        raise TypeError(f"{fname}: where has dtype {m.dtype}; expected a boolean (or integer 0/1) mask")
    try:
        full = jnp.broadcast_shapes(m.shape, shape)
    except ValueError:
        full = None
    if full != tuple(shape):
        raise ValueError(f"{fname}: where has shape {m.shape}, which does not broadcast to x's shape {tuple(shape)}")
    return m if m.dtype == jnp.bool_ else m != 0


# --------------------------------------------------------------------------- #
# Shared pieces
# --------------------------------------------------------------------------- #


def _nan_rows(y: jax.Array, m: jax.Array) -> jax.Array:
    # jnp.max propagates NaN, so m is NaN exactly for rows holding a NaN logit.
    return jnp.where(jnp.isnan(m), jnp.nan, y)


def _safe_div(a: jax.Array, b: jax.Array) -> jax.Array:
    # b == 0 only for empty rows (all -inf / masked), where a == 0 too: answer 0, not 0/0.
    return a / jnp.where(b == 0, 1.0, b)


# --------------------------------------------------------------------------- #
# softmax / log_softmax
# --------------------------------------------------------------------------- #


def _two_sum_add(a: tuple[jax.Array, jax.Array], b: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
    # (hi, lo) pairs added with TwoSum on the hi parts: exact up to the (tiny) rounding of the lo sum, and
    # valid in any association order, so XLA may reduce as a tree.
    s = a[0] + b[0]
    bb = s - a[0]
    err = (a[0] - (s - bb)) + (b[0] - bb)
    return s, (a[1] + b[1]) + err


def _sum2(v: jax.Array, axes: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
    """``sum(v)`` over ``axes`` as an unevaluated ``hi + lo`` pair (size-1 dims kept)."""
    zero = jnp.zeros((), v.dtype)
    hi, lo = jax.lax.reduce((v, jnp.zeros_like(v)), (zero, zero), _two_sum_add, axes)
    return jnp.expand_dims(hi, axes), jnp.expand_dims(lo, axes)


def _fast_rows(x: jax.Array, axes: tuple[int, ...], negate: bool = False) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The row shift ``m`` (max, min for softmin), ``u = exp(x - m)`` and the row sums, in the form XLA fuses best.

    On CPU, ``max -> subtract -> exp -> sum -> divide`` with only arithmetic in
    between compiles to ONE fused row pass, forward and backward; any select
    (a ``where`` on the max, on the sum or on the output) splits it into 3-6
    passes over the array (measured 1.3-4x slower).  So empty rows are handled
    by arithmetic: the max is clamped to the lowest finite float (an all
    ``-inf`` row gets ``u = exp(-inf) = 0``) and the sum carries ``eps/4``,
    which leaves every live row's sum (at least 1: its max contributes
    ``exp(0)``) unchanged and makes an empty row's ``0 / (0 + eps/4) = 0``, with
    finite derivatives.  A NaN or ``+inf`` logit makes its row NaN (as in
    jax.nn, Keras and PyTorch).  Callers differentiate through custom rules
    only (``m`` is a generic reduction, which XLA fuses less well under autodiff).
    """
    # The clamp is the reduction's initial value: a separate max(m, lowest) after it splits the fused pass.
    big = jnp.finfo(x.dtype).max
    init = jnp.asarray(big if negate else -big, x.dtype)
    m = jnp.expand_dims(jax.lax.reduce(x, init, jax.lax.min if negate else jax.lax.max, axes), axes)
    u = jnp.exp(m - x if negate else x - m)  # softmin: -x - max(-x) as min(x) - x, no negated copy of x
    return m, u, jnp.sum(u, axis=axes, keepdims=True) + 0.25 * jnp.finfo(x.dtype).eps


def _robust_shift(x: jax.Array, axes: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
    """``x - max`` with an all ``-inf`` row shifted by 0 (not ``-inf - -inf = NaN``); rows holding NaN or
    ``+inf`` come out NaN, as on the unmasked path.  Returns ``(d, m)``."""
    m = jnp.max(x, axis=axes, keepdims=True)
    d = x - jnp.where(m == -jnp.inf, 0.0, m)
    return d, m


def _softmax_robust(x: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    d, m = _robust_shift(x, axes)
    e = jnp.exp(d)
    return _nan_rows(_safe_div(e, jnp.sum(e, axis=axes, keepdims=True)), m)


def _softmax_value(x: jax.Array, axes: tuple[int, ...], mask: jax.Array | None, negate: bool = False) -> jax.Array:
    # negate: softmin, the softmax of -x
    if mask is not None:
        return _softmax_robust(jnp.where(mask, -x if negate else x, -jnp.inf), axes)
    _, u, s = _fast_rows(x, axes, negate)
    # times the row's reciprocal: a multiply XLA repeats in each consumer of y (a divide it materializes once
    # more: one extra pass at 2^20 in forward+backward); measured no worse than u / s (4 ULP, bar 7)
    return u * (1.0 / s)


def _softmin_value(x: jax.Array, axes: tuple[int, ...], mask: jax.Array | None) -> jax.Array:
    return _softmax_value(x, axes, mask, negate=True)


def _softmax_tangent(y: jax.Array, t: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    # J = diag(y) - y y^T: zero wherever y == 0 (masked / -inf entries, empty rows); one reduction.
    return y * (t - jnp.sum(y * t, axis=axes, keepdims=True))


def _softmin_tangent(y: jax.Array, t: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    # softmin(x) = softmax(-x): the softmax tangent of -t.
    return y * (jnp.sum(y * t, axis=axes, keepdims=True) - t)


def _log_softmax_robust(x: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    d, m = _robust_shift(x, axes)
    s = jnp.sum(jnp.exp(d), axis=axes, keepdims=True)
    # empty rows: s == 0, and the output is d = -inf (not -inf - -inf)
    return _nan_rows(d - jnp.where(s == 0, 0.0, jnp.log(s)), m)


def _log_softmax_value(x: jax.Array, axes: tuple[int, ...], mask: jax.Array) -> jax.Array:
    return _log_softmax_robust(jnp.where(mask, x, -jnp.inf), axes)


def _log_softmax_tangent(y: jax.Array, t: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    # Masked path (the unmasked one is plain autodiff, see _log_softmax_unmasked).  J = I - 1 p^T with
    # p = exp(y) (recomputed from the saved output: nothing else is kept); its transpose is jax.nn's ct - p sum(ct).  Entries with y == -inf (masked entries) get a zero tangent.
    return jnp.where(y == -jnp.inf, 0.0, t - jnp.sum(jnp.exp(y) * t, axis=axes, keepdims=True))


def _log_softmax_unmasked_value(x: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    m, _, s = _fast_rows(x, axes)
    return (x - m) - jnp.log(s)


_log_softmax_unmasked = jax.custom_jvp(_log_softmax_unmasked_value, nondiff_argnums=(1,))


@_log_softmax_unmasked.defjvp
def _log_softmax_unmasked_jvp(axes, primals, tangents):
    # The tangent t - <u, t> / s from the forward pass's own u = exp(x - m) and row sum s, so reverse mode keeps
    # u (one array) and the backward pass needs no exponential: the form of jax.nn's autodiff, which XLA fuses
    # with the forward pass into the same few row passes (a rule from the output cost 1.3-2.5x).  An all -inf
    # row (u = 0) passes its cotangent through, as x - const does.
    (x,), (t,) = primals, tangents
    m, u, s = _fast_rows(x, axes)
    return (x - m) - jnp.log(s), t - jnp.sum(u * t, axis=axes, keepdims=True) / s


def _custom(value, tangent):
    # nondiff_argnums must be given to the constructor; build the pair that way.  One pair per output dtype:
    # for a float16/bfloat16 activation the saved output is the returned half-precision array (widened again
    # inside the checkpointed tangent), not its float32 opmath value (twice the bytes).
    def build(half):
        def tangent_of_saved(y, t, axes):
            return tangent(y if half is None else y.astype(t.dtype), t, axes)

        # prevent_cse=False: the tangent recomputes nothing heavy from y, and the CSE barrier would make XLA
        # write y once more before the backward's row reduction (the training memory is unchanged: y only)
        lin = jax.checkpoint(tangent_of_saved, static_argnums=(2,), prevent_cse=False)

        def save(y):
            return y if half is None else y.astype(half)

        def plain_f(x, axes):
            return value(x, axes, None)

        def masked_f(x, axes, mask):
            return value(x, axes, mask)

        plain = jax.custom_jvp(plain_f, nondiff_argnums=(1,))
        masked = jax.custom_jvp(masked_f, nondiff_argnums=(1,))

        @plain.defjvp
        def _plain_jvp(axes, primals, tangents):
            (x,), (t,) = primals, tangents
            y = plain(x, axes)
            return y, lin(save(y), t, axes)

        @masked.defjvp
        def _masked_jvp(axes, primals, tangents):
            x, mask = primals
            y = masked(x, axes, mask)
            return y, lin(save(y), tangents[0], axes)

        return plain, masked

    variants = {half: build(half) for half in (None, *_numerics.HALF_DTYPES)}

    def call(x: jax.Array, axes: tuple[int, ...], mask: jax.Array | None) -> jax.Array:
        plain, masked = variants[_numerics.output_half()]
        return plain(x, axes) if mask is None else masked(x, axes, jnp.broadcast_to(mask, x.shape))

    return call


_softmax = _custom(_softmax_value, _softmax_tangent)
_softmin = _custom(_softmin_value, _softmin_tangent)
_log_softmax_masked = _custom(_log_softmax_value, _log_softmax_tangent)


def _log_softmax(x: jax.Array, axes: tuple[int, ...], mask: jax.Array | None) -> jax.Array:
    return _log_softmax_unmasked(x, axes) if mask is None else _log_softmax_masked(x, axes, mask)


@activation(
    "softmax",
    family="normalizer",
    kind="axis",
    static=("axis",),
    raw=("where",),
    validate=_validate_axis("softmax"),
    formula="exp(x_i) / sum_j exp(x_j) over axis",
    kinks="smooth; masked entries have value 0 and gradient 0",
)
def softmax(x: jax.Array, axis: Axis = -1, where: ArrayLike | None = None) -> jax.Array:
    r"""Softmax: exponentials normalized to sum to 1 along ``axis``.

    .. math::
      \mathrm{softmax}(x)_i = \frac{e^{x_i - m}}{\sum_{j \in M} e^{x_j - m}} \;(i \in M),
      \qquad m = \max_{j \in M} x_j,

    and 0 for :math:`i \notin M`, where :math:`M` is the set of entries kept by
    ``where`` (all of them by default). Subtracting the max keeps ``exp`` from
    overflowing; half-precision inputs are computed in float32. One fused
    pass with XLA's plain row sum, as fast as ``jax.nn.softmax``: values are
    within 4 ULP + the sum's rounding (about log2(n) ULP for a row of n) + 1,
    besides the rounding of ``x - max`` that ``exp`` inherits (as much as a
    one-ULP change of the input causes).

    The backward pass saves only the output: the tangent is
    :math:`y \odot (t - \langle y, t\rangle)`.  Masked entries get exactly 0
    and a zero gradient; a fully masked row, or a row of ``-inf`` logits,
    gives zeros with a zero gradient (never NaN).  A NaN or ``+inf`` logit
    makes its row NaN (as jax.nn).

    Args:
      x: input array with at least one dimension.
      axis: axis or axes to normalize over, default -1: an int, a tuple of
        distinct ints, or None for all axes. Static.
      where: optional boolean mask broadcastable to ``x``; entries where it is
        False are left out. Passed as an array (may be traced).

    Returns:
      An array of the same shape and dtype as ``x`` (ints and bools give the
      default float dtype).

    Raises:
      ValueError: 0-D ``x``, ``axis`` out of range or repeated, or a ``where``
        that does not broadcast to ``x``.
      TypeError: ``axis`` not an int / tuple of ints / None; complex ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.softmax(jnp.array([[1.0, 2.0, 1.0]]))
      Array([[0.21194157, 0.5761169 , 0.21194157]], dtype=float32)
      >>> ja.softmax(jnp.array([1.0, 2.0, 1.0]), where=jnp.array([True, True, False]))
      Array([0.26894143, 0.7310586 , 0.        ], dtype=float32)

    References:
      Bridle, "Probabilistic Interpretation of Feedforward Classification
      Network Outputs, with Relationships to Statistical Pattern Recognition",
      1990. https://doi.org/10.1007/978-3-642-76153-9_28

    Note:
      tf.keras' ``softmax`` raised on 1-D input; this one normalizes the only
      axis (what per-example code under ``vmap`` needs). ``jax.nn.softmax``
      returns NaN for an all ``-inf`` row; here it gives zeros (a ``+inf``
      logit gives a NaN row in both). Keras 3's ``Softmax`` layer with a mask
      and ``jax.nn.softmax(where=...)`` agree with the masked values here.
    """
    axes = _axes("softmax", axis, x.ndim)
    mask = _mask("softmax", where, x.shape)
    if _no_entries(x, axes):
        return x  # nothing to normalize over: the (empty) input's shape
    return _softmax(x, axes, mask)


@activation(
    "log_softmax",
    family="normalizer",
    kind="axis",
    static=("axis",),
    raw=("where",),
    validate=_validate_axis("log_softmax"),
    formula="x_i - log(sum_j exp(x_j)) over axis",
    kinks="smooth; masked entries have value -inf and gradient 0",
)
def log_softmax(x: jax.Array, axis: Axis = -1, where: ArrayLike | None = None) -> jax.Array:
    r"""Logarithm of the softmax along ``axis``.

    .. math::
      \mathrm{log\_softmax}(x)_i = (x_i - m) - \log \sum_{j \in M} e^{x_j - m}
      \;(i \in M), \qquad m = \max_{j \in M} x_j,

    and :math:`-\infty` for :math:`i \notin M` (``exp(log_softmax) ==
    softmax`` everywhere, as in ``jax.nn.log_softmax(where=...)``). The log of
    the row sum is rounded at ``ulp(1)``, so entries near 0 (the max of a
    peaked row) are accurate absolutely, not relatively, as in ``jax.nn``: the
    price of a single fused pass.

    The backward pass keeps one array. Without a mask the tangent is
    :math:`t - \langle e^{x - m}, t\rangle / s` from the forward pass's own
    exponentials (reverse mode keeps :math:`e^{x - m}` and needs no exponential
    of its own, the form XLA fuses best); with ``where=`` it keeps the output and
    the tangent is :math:`t - \langle e^{y}, t\rangle`, taken as 0 at masked
    entries, so masked entries and fully masked rows have a zero gradient and
    no NaN. A ``-inf`` logit gets the exact Jacobian row :math:`e_i - p` (as in
    ``jax.nn``); an all ``-inf`` row without a mask gives ``-inf`` and passes its
    cotangent through unchanged.

    Args:
      x: input array with at least one dimension.
      axis: axis or axes to normalize over, default -1: an int, a tuple of
        distinct ints, or None for all axes. Static.
      where: optional boolean mask broadcastable to ``x``.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.log_softmax(jnp.array([0.0, -10.0]))
      Array([-4.5417706e-05, -1.0000046e+01], dtype=float32)

    References:
      Bridle, 1990 (see :func:`softmax`).

    Note:
      ``jax.nn.log_softmax`` gives NaN for all ``-inf`` rows; here ``-inf``
      (a ``+inf`` logit gives a NaN row in both). PyTorch and Keras have no mask
      argument.
    """
    axes = _axes("log_softmax", axis, x.ndim)
    mask = _mask("log_softmax", where, x.shape)
    if _no_entries(x, axes):
        return x  # nothing to normalize over: the (empty) input's shape
    return _log_softmax(x, axes, mask)


@activation(
    "softmin",
    family="normalizer",
    kind="axis",
    static=("axis",),
    raw=("where",),
    validate=_validate_axis("softmin"),
    formula="softmax(-x) over axis",
    kinks="smooth; masked entries have value 0 and gradient 0",
)
def softmin(x: jax.Array, axis: Axis = -1, where: ArrayLike | None = None) -> jax.Array:
    r"""Softmin: the softmax of ``-x`` (most mass on the smallest entries).

    .. math::
      \mathrm{softmin}(x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}

    Same conventions as :func:`softmax` (masks, empty rows, ``axis``), with the
    roles of ``+inf`` and ``-inf`` swapped.

    Args:
      x: input array with at least one dimension.
      axis: axis or axes to normalize over, default -1 (int, tuple of ints or
        None). Static.
      where: optional boolean mask broadcastable to ``x``.

    Returns:
      An array of the same shape and dtype as ``x``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.softmin(jnp.array([1.0, 2.0, 1.0]))
      Array([0.42231882, 0.15536241, 0.42231882], dtype=float32)

    References:
      PyTorch ``torch.nn.Softmin`` (the name and definition).

    Note:
      PyTorch's ``Softmin`` takes ``dim`` with no default; here ``axis=-1`` as
      for :func:`softmax`. Not in Keras or jax.nn.
    """
    axes = _axes("softmin", axis, x.ndim)
    mask = _mask("softmin", where, x.shape)
    if _no_entries(x, axes):
        return x  # nothing to normalize over: the (empty) input's shape
    return _softmin(x, axes, mask)


# --------------------------------------------------------------------------- #
# sparsemax / entmax15: exact thresholds by a sort-free iteration (Newton from below, certified on the support)
# --------------------------------------------------------------------------- #


def _no_entries(x: jax.Array, axes: tuple[int, ...]) -> bool:
    """A static test: does a reduction axis have size 0 (so there is nothing to normalize)?"""
    return any(x.shape[a] == 0 for a in axes)


def _add_pairs(a: tuple[jax.Array, ...], b: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
    return tuple(u + v for u, v in zip(a, b, strict=True))


def _row_sums(axes: tuple[int, ...], *vs: jax.Array) -> tuple[jax.Array, ...]:
    # Several row sums in ONE variadic reduction: XLA CPU fuses the elementwise producers into a single pass
    # (separate jnp.sum calls became separate passes with materialized broadcasts of the per-row threshold).
    zero = jnp.zeros((), vs[0].dtype)
    sums = jax.lax.reduce(vs, (zero,) * len(vs), _add_pairs, axes)
    return tuple(jnp.expand_dims(s, axes) for s in sums)


def _sparse_input(x: jax.Array, axes: tuple[int, ...], scale: float) -> jax.Array:
    """``scale * (x - max)`` over ``axes``, all entries <= 0, by arithmetic only (no select).

    The max is clamped into the finite range through the reduction's initial value and a min: an all ``-inf``
    row gives ``-inf`` everywhere (no mass: zeros), a row holding ``+inf`` maps its ``+inf`` entries to
    ``min(inf, 0) = 0`` and the rest to ``<= -3e38`` (the ``+inf`` entries share the mass), and a NaN logit makes
    its row NaN (the max propagates it).  After the shift the threshold lies in [-1, 0) (the top entry gets at
    most mass 1, so only entries above -1 can be in the support).
    """
    big = jnp.finfo(x.dtype).max
    m = jnp.expand_dims(jax.lax.reduce(x, jnp.asarray(-big, x.dtype), jax.lax.max, axes), axes)
    return scale * jnp.minimum(x - jnp.minimum(m, big), 0.0)


def _row_start(z: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    # -1 per row, made from z (its row max times 0) so that under shard_map the loop carry has z's varying
    # manual axes; the max is 0 (or -inf, hence the clip; NaN only in a NaN row).  A reduction, not a slice:
    # slicing a dimension sharded on an Explicit mesh is refused.
    return 0.0 * jnp.maximum(jnp.max(z, axis=axes, keepdims=True), -1.0) - 1.0


def _sparsemax_tau(z: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    """The exact threshold by Newton's method on ``f(tau) = sum [z - tau]_+ - 1`` (Michelot's algorithm).

    ``f`` is convex, piecewise linear and decreasing; from ``tau = -1 <= tau*`` each step
    ``tau + f(tau) / |{z > tau}|`` = ``(sum_S z - 1) / |S|`` over the current support ``S`` stays at or below
    ``tau*`` and drops every entry of ``S`` that the exact support lacks, so the support shrinks to the exact one
    in finitely many steps (2-9 on random rows of 1024) and the last step is the sort-based closed form on it.
    The loop ends when no row's support count changed (``tau`` is kept monotone, so rounding cannot cycle).
    """

    def body(c: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array, jax.Array]:
        tau, k_prev, _ = c
        s = (z > tau).astype(z.dtype)
        # sum_S z, not sum [z - tau]_+: on a flat row those terms are ~1/n and their sum ~1 rounds at ulp(1), tens
        # of ULP of the row's scale; the clip keeps 0 * -inf out of the entries outside S.
        k, sz = _row_sums(axes, s, s * jnp.maximum(z, -2.0))
        new = jnp.maximum(tau, (sz - 1.0) / jnp.maximum(k, 1.0))  # k = 0 only for empty rows
        return new, k, jnp.any(k != k_prev)

    start = _row_start(z, axes)
    tau, _, _ = jax.lax.while_loop(lambda c: c[2], body, (start, start, jnp.all(start < 0)))
    return tau


def _sparsemax_value(x: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    z = _sparse_input(x, axes, 1.0)
    return jnp.maximum(z - _sparsemax_tau(z, axes), 0.0)


def _sparsemax_tangent(y: jax.Array, t: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    # J = diag(s) - s s^T / |S| with s the support indicator; sign(y) is it (y >= 0) as arithmetic, so the
    # backward pass keeps nothing activation-sized but y (the compare-and-convert form cost 1-2 more buffers).
    s = jnp.sign(y)
    k = jnp.sum(s, axis=axes, keepdims=True)
    st = jnp.sum(s * t, axis=axes, keepdims=True)
    return s * (t - st / jnp.maximum(k, 1.0))  # k = 0: an empty row, where s = 0 too


def _entmax15_tau(z: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    """The exact threshold of ``g(tau) = sum [z - tau]_+^2 = 1``, certified on its support.

    Newton on the convex decreasing ``g`` from ``tau = -1 <= tau*`` climbs monotonically to ``tau*`` (it never
    overshoots), so its support ``S = {z > tau}`` always holds the exact one.  Each pass also solves the quadratic
    ``sum_S (z - q)^2 = 1`` exactly (the sort-based ``tau_k`` for that support) and the next pass checks it: if
    ``S`` held an entry outside the exact support, ``q`` lands above that entry (the entry's term only adds
    mass), so ``q`` is certified exact when no entry of ``S`` lies below it.  Rows freeze once certified; a cap of
    64 passes bounds pathological rows (ties within rounding of ``tau*``), whose last ``q`` is then used.
    """

    def body(c):
        tau, q, k_prev, res, done, i = c
        u = jnp.maximum(z - tau, 0.0)
        k, a, b, kq = _row_sums(axes, (z > tau).astype(z.dtype), u, u * u, (z >= q).astype(z.dtype))
        # certified: no entry of the previous support lies below its quadratic root (a NaN row stops at once)
        ok = done | (kq >= k_prev) | jnp.isnan(tau)
        res = jnp.where(done, res, q)
        g = b - 1.0
        a = jnp.maximum(a, jnp.finfo(z.dtype).tiny)  # a = 0 only for empty rows
        # root of k d^2 - 2 a d + g = 0 nearest 0, in the cancellation-free form
        q_new = tau + g / (a + jnp.sqrt(jnp.maximum(a * a - k * g, 0.0)))
        tau_new = jnp.maximum(tau, tau + g / (2.0 * a))
        return tau_new, q_new, k, res, ok, i + 1

    start = _row_start(z, axes)
    never = start + jnp.inf
    state = (start, never, never, start, start > 0, jnp.sum(start > 0, dtype=jnp.int32))
    out = jax.lax.while_loop(lambda c: ~jnp.all(c[4]) & (c[5] < 64), body, state)
    return jnp.where(out[4], out[3], out[1])


def _entmax15_value(x: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    z = _sparse_input(x, axes, 0.5)  # entmax15(x) = [x/2 - tau]_+^2
    tau = _entmax15_tau(z, axes)
    # One Newton step on sum [z - tau]_+^2 = 1 with a compensated sum: tau from the quadratic carries the
    # cancellation of its coefficients (several ULP of 1), and on a flat row (y ~ 1/n, z - tau ~ 1/sqrt(n)) even
    # the rounding of tau to float32 would cost ~5 ULP of the row's scale.  So tau is kept as tau_hi + tau_lo
    # (Fast2Sum: |correction| << |tau|) and subtracted in two steps.  An entry exactly at the threshold (a tie,
    # common in bfloat16: [0, -1, -1] has tau = -1) gives exactly 0, and the support is y > 0 by construction.
    u = jnp.maximum(z - tau, 0.0)
    hi, lo = _sum2(u * u, axes)
    corr = ((hi - 1.0) + lo) / jnp.maximum(2.0 * jnp.sum(u, axis=axes, keepdims=True), jnp.finfo(z.dtype).tiny)
    tau_hi = tau + corr  # hi - 1 is exact (hi ~ 1)
    tau_lo = (tau - tau_hi) + corr
    # u = z - tau as s + u_lo (TwoSum), squared as s^2 + 2 s u_lo: a rounded u would double its error in u^2.
    s = z - tau_hi
    bb = s - z
    u_lo = ((z - (s - bb)) + (-tau_hi - bb)) - tau_lo
    # + 0 * tau_hi: a NaN row (NaN threshold) stays NaN through the select, by arithmetic on the row vector
    return jnp.where(z > tau_hi, jnp.maximum(s * s + 2.0 * s * u_lo, 0.0), 0.0) + 0.0 * tau_hi


@jax.custom_jvp
def _sqrt0(y: jax.Array) -> jax.Array:
    return jnp.sqrt(y)


@_sqrt0.defjvp
def _sqrt0_jvp(primals, tangents):
    # sqrt with a zero (not inf) derivative at 0, so second derivatives stay finite off the support; the select
    # lives only in this rule, so the first-order backward pass keeps its single fused pass.
    (y,), (dy,) = primals, tangents
    g = jnp.sqrt(y)
    pos = y > 0
    return g, jnp.where(pos, 0.5 / jnp.where(pos, g, 1.0), 0.0) * dy


def _entmax15_tangent(y: jax.Array, t: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    # J = diag(g) - g g^T / sum(g) with g = sqrt(y) (Peters et al. 2019, alpha = 1.5).  The empty-row guard is a
    # max, not a select: a select on the row sum splits the fused pass and costs an activation-sized buffer.
    g = _sqrt0(y)
    sg = jnp.sum(g, axis=axes, keepdims=True)
    gt = jnp.sum(g * t, axis=axes, keepdims=True)
    return g * (t - gt / jnp.maximum(sg, jnp.finfo(y.dtype).tiny))


def _custom_plain(value, tangent):
    lin = jax.checkpoint(tangent, static_argnums=(2,))
    f = jax.custom_jvp(value, nondiff_argnums=(1,))

    @f.defjvp
    def _jvp(axes, primals, tangents):
        y = f(primals[0], axes)
        return y, lin(y, tangents[0], axes)

    return f


_sparsemax = _custom_plain(_sparsemax_value, _sparsemax_tangent)
_entmax15 = _custom_plain(_entmax15_value, _entmax15_tangent)


@activation(
    "sparsemax",
    family="normalizer",
    kind="axis",
    static=("axis",),
    validate=_validate_axis("sparsemax"),
    formula="max(x_i - tau, 0), tau such that the sum over axis is 1",
    kinks="gradient diag(s) - s s^T/|S| with s = (y > 0): an entry at the support edge (y = 0) counts as outside",
)
def sparsemax(x: jax.Array, axis: Axis = -1) -> jax.Array:
    r"""Sparsemax: the Euclidean projection of ``x`` onto the probability simplex.

    .. math::
      \mathrm{sparsemax}(x)_i = \max(x_i - \tau, 0), \qquad
      \tau \text{ such that } \textstyle\sum_i \max(x_i - \tau, 0) = 1.

    The threshold is exact, without a sort: Newton's method on
    :math:`\sum_i \max(z_i - \tau, 0) = 1` from below (Michelot's algorithm),
    :math:`\tau \leftarrow (\sum_{i \in S} z_i - 1)/|S|` over the current
    support :math:`S = \{i : z_i > \tau\}`, which only shrinks and stops at
    the exact support (2-9 passes on random rows of 1024). With the batch
    sharded across devices, the stop test reduces one scalar per pass. The Jacobian is
    :math:`\mathrm{diag}(s) - s s^\top / |S|` with :math:`s` the indicator of
    the support :math:`S = \{i : y_i > 0\}` (an entry exactly at the edge of the
    support counts as outside); the backward pass saves only the output.

    Args:
      x: input array with at least one dimension.
      axis: axis or axes to normalize over, default -1 (int, tuple of ints or
        None). Static.

    Returns:
      An array of the same shape and dtype as ``x``; each slice along ``axis``
      is on the simplex (non-negative, sums to 1), an all ``-inf`` slice gives
      zeros.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.sparsemax(jnp.array([0.5, 1.0, 1.2]))  # float32(1.2) is 1.2000000477
      Array([0.        , 0.39999998, 0.6       ], dtype=float32)

    References:
      Martins and Astudillo, "From Softmax to Sparsemax: A Sparse Model of
      Attention and Multi-Label Classification", 2016. https://arxiv.org/abs/1602.02068

    Note:
      Keras 3.15's ``sparsemax`` returns zeros for ``[0.5, 1, 1.2]``
      (keras-team/keras#23425); this one returns ``[0, 0.4, 0.6]``.
      Not in jax.nn or PyTorch.
    """
    axes = _axes("sparsemax", axis, x.ndim)
    if x.size == 0:
        return x  # nothing to normalize: the (empty) input's shape
    return _sparsemax(x, axes)


@activation(
    "entmax15",
    family="normalizer",
    kind="axis",
    static=("axis",),
    validate=_validate_axis("entmax15"),
    formula="max(x_i/2 - tau, 0)^2, tau such that the sum over axis is 1",
    kinks="gradient diag(g) - g g^T/sum(g) with g = sqrt(y); smooth except where the support changes",
)
def entmax15(x: jax.Array, axis: Axis = -1) -> jax.Array:
    r"""1.5-entmax: a sparse normalizer between softmax and sparsemax.

    .. math::
      \mathrm{entmax}_{1.5}(x)_i = \left[\tfrac{x_i}{2} - \tau\right]_+^2,
      \qquad \tau \text{ such that } \textstyle\sum_i \left[\tfrac{x_i}{2} - \tau\right]_+^2 = 1.

    The threshold is exact, without a sort: Newton's method on
    :math:`\sum_i [z_i - \tau]_+^2 = 1` (half-logits :math:`z`) climbs from
    below; each pass also solves the quadratic over its current support
    exactly, and the next pass certifies it (no support entry below the
    root). With the batch sharded across devices, the stop test reduces one
    scalar per pass. The Jacobian is
    :math:`\mathrm{diag}(g) - g g^\top / \sum_i g_i` with :math:`g = \sqrt{y}`;
    the backward pass saves only the output.

    Args:
      x: input array with at least one dimension.
      axis: axis or axes to normalize over, default -1 (int, tuple of ints or
        None). Static.

    Returns:
      An array of the same shape and dtype as ``x``; each slice along ``axis``
      is on the simplex.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.entmax15(jnp.array([0.0, 1.0, 2.0]))
      Array([0.        , 0.1692811 , 0.83071893], dtype=float32)

    References:
      Peters, Niculae and Martins, "Sparse Sequence-to-Sequence Models", 2019.
      https://arxiv.org/abs/1905.05702

    Note:
      Not in Keras, jax.nn or PyTorch (the ``entmax`` package for PyTorch uses
      the same definition).
    """
    axes = _axes("entmax15", axis, x.ndim)
    if x.size == 0:
        return x  # nothing to normalize: the (empty) input's shape
    return _entmax15(x, axes)


# --------------------------------------------------------------------------- #
# glu
# --------------------------------------------------------------------------- #


# a * sigmoid(b) for b < _DEEP: sigmoid(b) == exp(b) to float32 there, but exp(b) goes subnormal (flushed to 0
# by XLA on CPU) for b < -87.3 while a * exp(b) stays normal down to b = -176 for large a.  So form the product
# at a safe scale: ((a * 2^-68) * exp(b + 96)) * (exp(-96) * 2^68).  Adding 96 to b <= -80 is exact; the
# two scale factors are both ~exp(-48), so the intermediate is normal whenever the result is and finite for
# every float32 a, in this order and in the reversed order of the transposed (reverse-mode) product.  The
# constant exp(-96) * 2^68 rounds to float32 with a relative error of 7e-10 (96 is the best shift near 90-110).
_DEEP = -80.0
_SHIFT = 96.0
_PRE = 2.0**-68
_POST = 5.9947274419558725e-22  # float32(exp(-96) * 2**68)


def _gate_parts(b: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``(deep, e, r)`` from one ``exp`` and one divide.

    Off the deep tail ``e = exp(-b)`` (at most ``e^80``: no overflow) and ``r = 1 / (1 + e)``, which is
    ``sigmoid(b)`` for either sign, with ``sigmoid'(b) = (e r) r`` exact in both tails (``s (1 - s)`` is 0 for
    b > 16.6; ``e r`` before the second ``r`` keeps ``e r^2`` from overflowing).  In the deep tail
    (b < _DEEP) ``e = exp(b + 96)`` (the scaled exponential of :data:`_POST`); ``r`` is not used there.
    """
    deep = b < _DEEP
    e = jnp.exp(jnp.where(deep, b + _SHIFT, -b))
    return deep, e, 1.0 / (1.0 + e)


def _scaled(a: jax.Array, deep: jax.Array, e: jax.Array, s: jax.Array) -> jax.Array:
    # a * sigmoid(b): the deep tail rescaled as above, so a product that is normal never flushes to 0.
    return jnp.where(deep, ((a * _PRE) * e) * _POST, a * s)


def _glu_value(a: jax.Array, b: jax.Array) -> jax.Array:
    deep, e, r = _gate_parts(b)
    return _scaled(a, deep, e, r)


def _glu_tangent(a: jax.Array, b: jax.Array, ta: jax.Array, tb: jax.Array) -> jax.Array:
    # d/da = sigmoid(b) (rescaled in the deep tail like the value, linear in ta so it transposes safely);
    # d/db = a e r^2 = a sigmoid(b) sigmoid(-b) (deep tail: a exp(b), rescaled), formed from the primals first:
    # tb * (that), never (a * tb) * tiny.
    deep, e, r = _gate_parts(b)
    return _scaled(ta, deep, e, r) + tb * _scaled(a, deep, e, (e * r) * r)


_glu_lin = jax.checkpoint(_glu_tangent)


@jax.custom_jvp
def _glu(a: jax.Array, b: jax.Array) -> jax.Array:
    return _glu_value(a, b)


@_glu.defjvp
def _glu_jvp(primals, tangents):
    # Tangent recomputed from (a, b) under checkpoint: reverse mode saves the input only.
    a, b = primals
    return _glu(a, b), _glu_lin(a, b, *tangents)


@activation(
    "glu",
    family="normalizer",
    kind="axis",
    static=("axis",),
    validate=lambda axis=-1: _check_axis_type("glu", axis, allow_tuple=False),
    formula="a * sigmoid(b), (a, b) = the two halves of x along axis",
    kinks="smooth",
)
def glu(x: jax.Array, axis: int = -1) -> jax.Array:
    r"""Gated linear unit: the first half of ``x`` gated by the sigmoid of the second.

    .. math::
      \mathrm{glu}(x) = a \odot \sigma(b), \qquad x = [a; b] \text{ split in two equal halves along the axis.}

    The gradient uses :math:`\sigma'(b) = \sigma(b)\sigma(-b)`, exact in the
    tails (``s(1 - s)`` is 0 for :math:`b > 16.6` in float32); the backward
    pass saves only the input.

    Args:
      x: input array with at least one dimension and an even size along
        ``axis``.
      axis: the axis to split, default -1. An int. Static.

    Returns:
      An array of ``x``'s dtype, with half of ``x``'s size along ``axis``.

    Raises:
      ValueError: odd size along ``axis``, ``axis`` out of range, or 0-D ``x``.
      TypeError: ``axis`` not an int.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ja.glu(jnp.array([1.0, 2.0, 0.0, 100.0]))
      Array([0.5, 2. ], dtype=float32)

    References:
      Dauphin, Fan, Auli and Grangier, "Language Modeling with Gated
      Convolutional Networks", 2017. https://arxiv.org/abs/1612.08083

    Note:
      The gate is the second half, as in PyTorch, jax.nn and Keras 3
      (default axis -1 as jax.nn and Keras; PyTorch's ``dim`` also defaults to -1).
    """
    _check_axis_type("glu", axis, allow_tuple=False)
    (ax,) = _axes("glu", axis, x.ndim)
    size = x.shape[ax]
    if size % 2:
        raise ValueError(
            f"glu: x has size {size} along axis={axis}, which is odd; expected an even size to split in halves"
        )
    a, b = jnp.split(x, 2, axis=ax)
    return _glu(a, b)
