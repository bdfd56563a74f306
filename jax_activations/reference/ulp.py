"""Measuring error in units in the last place (ULP) against float64 references.

The error of a computed value is its distance to the *hull* of the reference at
``x`` and at ``x``'s two neighbours in the working dtype, divided by the spacing
of the working dtype at the reference.  So a one-ULP perturbation of the input,
or the ill-conditioning near a zero of the derivative, is not counted against the
implementation, and nothing else is forgiven.  Absolute errors up to the
smallest normal number count as exact (XLA on CPU flushes subnormals to zero).
"""

from __future__ import annotations

from collections.abc import Callable

import ml_dtypes
import numpy as np

__all__ = ["grid", "hull", "neighbours", "ulp_error"]


def neighbours(x: np.ndarray, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """``x``'s two neighbours in ``dtype`` (as float64 arrays)."""
    xd = np.asarray(x, dtype=dtype)
    with np.errstate(all="ignore"):
        lo = np.nextafter(xd, np.array(-np.inf, dtype=dtype))
        hi = np.nextafter(xd, np.array(np.inf, dtype=dtype))
    return lo.astype(np.float64), hi.astype(np.float64)


def hull(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper float64 reference over ``x`` and its two neighbours."""
    x64 = np.asarray(x, dtype=dtype).astype(np.float64)
    lo_x, hi_x = neighbours(x, dtype)
    with np.errstate(all="ignore"):
        vals = np.stack([np.asarray(f(v), dtype=np.float64) * np.ones_like(x64) for v in (x64, lo_x, hi_x)])
    # a NaN neighbour (outside the domain) is ignored; a NaN centre stays NaN
    centre = vals[0]
    with np.errstate(all="ignore"):
        lo = np.where(np.isnan(centre), np.nan, np.nanmin(np.where(np.isnan(vals), centre, vals), axis=0))
        hi = np.where(np.isnan(centre), np.nan, np.nanmax(np.where(np.isnan(vals), centre, vals), axis=0))
    return lo, hi


def ulp_error(got: np.ndarray, lo: np.ndarray, hi: np.ndarray | None = None, dtype=np.float32) -> np.ndarray:
    """Elementwise error of ``got`` against the reference interval ``[lo, hi]``, in ULP of ``dtype``.

    NaN where the reference is NaN counts as exact; a non-finite result where the
    reference is finite (or the other way round) is ``inf``.
    """
    got = np.asarray(got, dtype=np.float64)
    lo = np.asarray(lo, dtype=np.float64)
    hi = lo if hi is None else np.asarray(hi, dtype=np.float64)
    info = ml_dtypes.finfo(dtype)
    tiny = float(info.tiny)
    with np.errstate(all="ignore"):
        # the reference rounded to the working dtype saturates at +-inf like the result
        lo_r = np.asarray(lo, dtype=dtype).astype(np.float64)
        hi_r = np.asarray(hi, dtype=dtype).astype(np.float64)
        dist = np.maximum(0.0, np.maximum(got - np.maximum(hi, hi_r), np.minimum(lo, lo_r) - got))
        ref = np.clip(got, np.minimum(lo, lo_r), np.maximum(hi, hi_r))
        spacing = np.spacing(np.abs(ref).astype(dtype)).astype(np.float64)
        spacing = np.maximum(spacing, float(np.spacing(np.array(tiny, dtype=dtype))))
        err = dist / spacing
    err = np.where(dist <= tiny, 0.0, err)
    ref_nan = np.isnan(lo) | np.isnan(hi)
    got_nan = np.isnan(got)
    finite_ref = np.isfinite(lo_r) & np.isfinite(hi_r)
    exact_inf = ~np.isfinite(got) & ~got_nan & ((got == lo_r) | (got == hi_r))
    err = np.where(exact_inf, 0.0, err)
    err = np.where(~np.isfinite(got) & finite_ref & ~ref_nan, np.inf, err)
    err = np.where(got_nan & ~ref_nan, np.inf, err)
    err = np.where(ref_nan & got_nan, 0.0, err)
    err = np.where(ref_nan & ~got_nan, np.inf, err)
    return err


def grid(n_log: int = 2000, n_lin: int = 1000, dtype=np.float32, lin: float = 30.0) -> np.ndarray:
    """The accuracy grid: log-spaced +-[1.2e-38, 3.4e38], linear [-lin, lin], 0, +-inf."""
    info = ml_dtypes.finfo(dtype)
    pos = np.geomspace(float(info.tiny), float(info.max), n_log // 2)
    lin_pts = np.linspace(-lin, lin, n_lin)
    pts = np.concatenate([-pos, pos, lin_pts, [0.0, -0.0, np.inf, -np.inf, float(info.max), -float(info.max)]])
    return np.unique(pts.astype(dtype))
