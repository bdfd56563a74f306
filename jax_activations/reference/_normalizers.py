"""Float64 references for the normalizers family (``kind="axis"`` rows).

Each ``f(x, axis=-1, **params)`` takes a whole float64 array.  The thresholds
of sparsemax and entmax15 are found here by bisection on the defining equation
(not by sorting, as the implementation does), then refined in closed form on
the support they imply.  :data:`VJPS` holds the vector-Jacobian products
``vjp(x, ct, axis=-1, **params)`` written from each Jacobian.

Conventions encoded here (the tests hold the implementation to them):
``where=`` leaves entries out (softmax value 0, log_softmax ``-inf``, gradient
0); a row with no unmasked logit above ``-inf`` gives zeros (``-inf``); a NaN or ``+inf`` logit, a NaN row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

from jax_activations.reference import row

__all__ = ["VJPS"]


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim for a in axes)


def _masked(x, where):
    x = np.asarray(x, dtype=np.float64)
    if where is None:
        return x, np.ones(x.shape, dtype=bool)
    w = np.broadcast_to(np.asarray(where, dtype=bool), x.shape)
    return np.where(w, x, -np.inf), w


def _log_softmax(x, axis=-1, where=None):
    x, w = _masked(x, where)
    ax = _axes(axis, x.ndim)
    m = np.max(x, axis=ax, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        # a +inf logit makes its row NaN (the documented convention); an all -inf row shifts by 0
        xs = x - np.where(m == -np.inf, 0.0, m)
        lse = special.logsumexp(xs, axis=ax, keepdims=True)
        out = np.where(np.isfinite(lse), xs - lse, -np.inf)  # empty row: -inf everywhere
    return np.where(w, out, -np.inf)


def _softmax(x, axis=-1, where=None):
    return np.exp(_log_softmax(x, axis, where))


def _softmin(x, axis=-1, where=None):
    return _softmax(-np.asarray(x, dtype=np.float64), axis, where)


def _sigmoid(v):
    return special.expit(v)


def _glu(x, axis=-1):
    a, b = np.split(np.asarray(x, dtype=np.float64), 2, axis=axis)
    return a * _sigmoid(b)


def _rows(x, axis):
    """``x`` with the normalized axes moved last and flattened, and the inverse."""
    ax = _axes(axis, x.ndim)
    rest = [a for a in range(x.ndim) if a not in ax]
    moved = np.transpose(x, (*rest, *ax))
    shape = moved.shape
    flat = moved.reshape(-1, int(np.prod([x.shape[a] for a in ax])))
    inv = np.argsort((*rest, *ax))
    return flat, lambda y: np.transpose(y.reshape(shape), inv)


def _threshold(z, mass: Callable[[np.ndarray], np.ndarray]):
    """tau with sum(mass(z - tau)) == 1, by bisection (mass increasing, mass(<=0) = 0)."""
    lo, hi = np.max(z) - 1.0, np.max(z)  # the top entry alone gives mass(1) == 1 at lo
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.sum(mass(np.maximum(z - mid, 0.0))) > 1.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _sparse(x, axis, scale, power):
    x = np.asarray(x, dtype=np.float64)
    flat, back = _rows(x, axis)
    out = np.zeros_like(flat)
    for r, v in enumerate(flat):
        if np.any(np.isnan(v)):
            out[r] = np.nan
            continue
        if np.all(v == -np.inf):
            continue  # empty row: zeros
        if np.any(v == np.inf):
            out[r] = (v == np.inf) / np.sum(v == np.inf)
            continue
        z = scale * (v - np.max(v))
        tau = _threshold(z, lambda u: u**power)
        s = z > tau  # the support; refine tau in closed form on it
        k, zs = np.sum(s), z[s]
        if power == 1:
            tau = (np.sum(zs) - 1.0) / k
        else:  # sum (z - tau)^2 = 1 on the support: the smaller root
            mean = np.mean(zs)
            tau = mean - np.sqrt(max((1.0 - np.sum((zs - mean) ** 2)) / k, 0.0))
        out[r] = np.maximum(z - tau, 0.0) ** power
    return back(out)


def _sparsemax(x, axis=-1):
    return _sparse(x, axis, 1.0, 1)


def _entmax15(x, axis=-1):
    return _sparse(x, axis, 0.5, 2)


# --------------------------------------------------------------------------- #
# Vector-Jacobian products, from each Jacobian
# --------------------------------------------------------------------------- #


def _sum(v, axis):
    return np.sum(v, axis=_axes(axis, v.ndim), keepdims=True)


def _centered(w, t, axis):
    """``t_i - <w, t>`` for weights summing to 1, as ``sum_j w_j (t_i - t_j)``.

    The pairwise form has no cancellation when one weight is ~1 (then
    ``t - <w, t>`` would round to 0 even in float64).
    """
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), np.shape(w))
    wf, back = _rows(np.asarray(w, dtype=np.float64), axis)
    tf, _ = _rows(t, axis)
    return back(np.einsum("rj,rij->ri", wf, tf[:, :, None] - tf[:, None, :]))


def _softmax_vjp(x, ct, axis=-1, where=None):
    # J = diag(y) - y y^T (symmetric).
    y = _softmax(x, axis, where)
    return y * _centered(y, ct, axis)


def _softmin_vjp(x, ct, axis=-1, where=None):
    return -_softmax_vjp(-np.asarray(x, dtype=np.float64), ct, axis, where)


def _log_softmax_vjp(x, ct, axis=-1, where=None):
    y = _log_softmax(x, axis, where)
    if where is None:
        # No mask: the exact J_ij = delta_ij - p_j everywhere (p = 0 at -inf logits, so an all -inf row passes
        # the cotangent through, as x - const does).
        return ct - np.exp(y) * _sum(ct, axis)
    # With a mask: J_ij = [y_i > -inf] (delta_ij - p_j): outputs at -inf (masked entries, -inf logits) are constant.
    live = y > -np.inf
    c = np.where(live, ct, 0.0)
    return c - np.exp(y) * _sum(c, axis)  # no cancellation in float64 at these sizes


def _glu_vjp(x, ct, axis=-1):
    a, b = np.split(np.asarray(x, dtype=np.float64), 2, axis=axis)
    return np.concatenate([ct * _sigmoid(b), ct * a * _sigmoid(b) * _sigmoid(-b)], axis=axis)


def _simplex_vjp(g, ct, axis):
    # J = diag(g) - g g^T / sum(g) (symmetric); empty rows: 0.
    tot = _sum(g, axis)
    return g * _centered(g / np.where(tot > 0, tot, 1.0), ct, axis)


def _sparsemax_vjp(x, ct, axis=-1):
    return _simplex_vjp((_sparsemax(x, axis) > 0).astype(np.float64), ct, axis)


def _entmax15_vjp(x, ct, axis=-1):
    return _simplex_vjp(np.sqrt(_entmax15(x, axis)), ct, axis)


VJPS: dict[str, Callable[..., np.ndarray]] = {
    "softmax": _softmax_vjp,
    "log_softmax": _log_softmax_vjp,
    "softmin": _softmin_vjp,
    "glu": _glu_vjp,
    "sparsemax": _sparsemax_vjp,
    "entmax15": _entmax15_vjp,
}

_AXES = ({}, {"axis": 0}, {"axis": (0, 1)})

row("softmax", _softmax, params=_AXES, kind="axis")
row("log_softmax", _log_softmax, params=_AXES, kind="axis")
row("softmin", _softmin, params=_AXES, kind="axis")
row("sparsemax", _sparsemax, params=_AXES, kind="axis", smooth=False)
row("entmax15", _entmax15, params=_AXES, kind="axis", smooth=False)
row("glu", _glu, params=({}, {"axis": 0}), kind="axis")
