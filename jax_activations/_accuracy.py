"""The accuracy harness: every registered activation against its float64 reference, in ULP.

For each elementwise activation (and each ``axis`` one, row-wise) this measures,
for ``jax_activations`` and side by side for ``jax.nn``'s and ``torch``'s
equivalents (where their definitions agree with ours):

* float32 value, first derivative (``jax.grad`` / torch autograd) and second
  derivative (rows with a ``d2f``), as the error to the hull of the reference at
  ``x`` and its two float32 neighbours (:mod:`jax_activations.reference.ulp`),
  over a dense grid: log-spaced +-[1.2e-38, 3.4e38], a fine linear [-30, 30], 0,
  +-0, +-inf;
* float16 and bfloat16 values over *every* finite and infinite value of the
  dtype, against the correctly rounded float64 reference;
* axis activations (softmax family) on seeded rows of 16-64 wide-range logits,
  per element against the float64 reference.  For the sparse normalizers
  (:data:`ROW_SCALED`: sparsemax, entmax15) the unit is the ULP of the row's
  scale instead of the ULP of each output: the error of an element is its
  absolute error divided by the spacing (in the dtype measured) at the largest
  ``|y|`` of its row, i.e. ``ulp(1)`` for a one-hot row.  Their small outputs
  are differences ``z - tau`` of two O(1) numbers, so a one-ULP change of an
  input moves them by ~1e-7 *absolutely*: ULP of the output itself would grade
  the conditioning of the map, not the implementation.

:func:`measure` returns one record per (function, params, library, dtype,
quantity); :func:`to_markdown` renders them and :func:`meets_bar` lists the
``jax_activations`` records above the bar.  ``benchmarks/accuracy.py`` and
``python -m jax_activations check`` are thin wrappers around these.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

import jax_activations as ja
from jax_activations.reference import ROWS, Row
from jax_activations.reference.ulp import grid, hull, ulp_error

__all__ = [
    "ABSOLUTE_NEAR_ZERO",
    "GRAD_BAR",
    "HALF_BAR",
    "LIBRARIES",
    "ROW_SCALED",
    "ROW_SUM_BASED",
    "SECOND_BAR",
    "VALUE_BAR",
    "bar",
    "measure",
    "measure_impl",
    "meets_bar",
    "to_markdown",
    "value_bar",
]

LIBRARIES = ("jax_activations", "jax.nn", "torch")

# --------------------------------------------------------------------------- #
# The bar (float32 ULP); tests/_bars.py holds the same numbers (a test checks).
# --------------------------------------------------------------------------- #

VALUE_BAR = 4.0
GRAD_BAR = 8.0
SECOND_BAR = 64.0
HALF_BAR = 1.0

# Where XLA's own primitive is worse on a backend, the bar is that primitive's
# error plus 1 ULP (XLA's CPU tanh is about 4.3 ULP).
PRIMITIVE_ERROR = {"cpu": {"tanh": 4.3, "reduce_sum": 2.0}}
TANH_BASED = frozenset({"tanh", "tanh_shrink", "dyt"})

# Row-wise normalizers built on one plain row sum (XLA's reduce: the fused single pass that keeps them as fast as
# jax.nn).  XLA's reduce-sum primitive error is about log2(n) ULP for a row of n in the worst case; measured on CPU
# for sums of 16..1024 positive float32 values (uniform, exp(-80..0), exp(-3|normal|)) against float64 it is at
# most 2.0 ULP, so their value bar is VALUE_BAR + that + 1 (the rule issue 3 applies to XLA's tanh).  The
# rounding of x - max (at most half an ULP of max(|x|, |max|), which a one-ULP change of an input also causes) is
# not counted: the reference is widened to the hull of the exact value and the value at the float32-rounded shift,
# as the elementwise grid uses the hull at x's float32 neighbours.  log_softmax is graded in ULP of
# max(|y|, 1): log(row sum) is one rounding at ulp(1), so entries near 0 are accurate absolutely (as jax.nn's).
ROW_SUM_BASED = frozenset({"softmax", "softmin", "log_softmax"})
ABSOLUTE_NEAR_ZERO = frozenset({"log_softmax"})

# Axis functions whose error is measured in ULP of the row's scale (max |y| of the row), not of each output:
# their outputs z - tau are ill-conditioned where small (see the module docstring).
ROW_SCALED = frozenset({"sparsemax", "entmax15"})


def value_bar(name: str, backend: str | None = None) -> float:
    """The float32 value bar for ``name`` on ``backend`` (default: jax's default backend)."""
    prim = PRIMITIVE_ERROR.get(backend or jax.default_backend(), {})
    if name in ROW_SUM_BASED:
        return VALUE_BAR + prim.get("reduce_sum", 0.0) + 1.0
    return max(VALUE_BAR, prim.get("tanh", 0.0) + 1.0) if name in TANH_BASED else VALUE_BAR


def bar(name: str, dtype: str, quantity: str) -> float | None:
    """The bar for one ``jax_activations`` record (None: informational, not judged).

    ``vjp`` records (axis functions, a random cotangent) are informational: an
    element of a VJP that cancels to near 0 is ill-conditioned, and its relative
    error in ULP says nothing about the implementation.
    """
    if quantity == "vjp":
        return None
    if dtype != "float32":
        return HALF_BAR
    return {"value": value_bar(name), "grad": GRAD_BAR, "grad2": SECOND_BAR}[quantity]


# --------------------------------------------------------------------------- #
# Grids
# --------------------------------------------------------------------------- #


@dataclasses.dataclass(frozen=True)
class _Settings:
    n_log: int
    n_lin: int
    rows_per_length: int
    all_params: bool
    lengths: tuple[int, ...] = (16, 40, 64)  # even: glu halves the axis


_DENSE = _Settings(n_log=40_000, n_lin=24_001, rows_per_length=512, all_params=True)
_QUICK = _Settings(n_log=2_000, n_lin=1_201, rows_per_length=96, all_params=False, lengths=(40,))
_SEED = 20240611


def _half_grid(dtype: Any) -> np.ndarray:
    """Every non-NaN value of a 16-bit float dtype, sorted.

    Nonzero inputs below float32's smallest normal (bfloat16's subnormals) are
    left out: XLA on CPU flushes them to zero before any formula sees them.
    """
    x = np.arange(2**16, dtype=np.uint16).view(dtype)
    x32 = np.abs(x.astype(np.float32))
    x = x[~np.isnan(x32) & ((x32 == 0) | (x32 >= np.finfo(np.float32).tiny))]
    return np.unique(x)


def _axis_inputs(n_rows: int, dtype: Any, lengths: Sequence[int]) -> list[np.ndarray]:
    """Seeded rows of wide-range logits for softmax-like activations, shape (rows, length) per length."""
    rng = np.random.default_rng(_SEED)
    out = []
    for length in lengths:
        scale = 10.0 ** rng.uniform(-3.0, 3.5, size=(n_rows, 1))  # 1e-3 .. 3e3: flat to one-hot rows
        offset = rng.choice([0.0, 0.0, 0.0, 30.0, -200.0, 1e4], size=(n_rows, 1))  # shift invariance
        x = rng.standard_normal((n_rows, length)) * scale + offset
        info = ml_dtypes.finfo(dtype)
        out.append(np.clip(x, -float(info.max), float(info.max)).astype(dtype))
    return out


# --------------------------------------------------------------------------- #
# Implementations under test: ours, jax.nn's and torch's
# --------------------------------------------------------------------------- #

_DTYPES = {"float32": np.float32, "float16": np.float16, "bfloat16": ml_dtypes.bfloat16}


class _Jax:
    """A JAX callable ``f(x)``.  Each method is one compiled program (compiling dominates the run time)."""

    def __init__(self, f: Callable[[jax.Array], jax.Array]):
        self._f = f
        d1 = jax.vmap(jax.grad(f))
        d2 = jax.vmap(jax.grad(jax.grad(f)))
        fns = {"value": f, "grad": d1, "grad2": d2}
        self._float32 = {
            want: jax.jit(lambda v, want=want: tuple(fns[q](v) for q in want))
            for want in (("value", "grad", "grad2"), ("value", "grad"), ("value",))
        }
        self._values = jax.jit(lambda *xs: tuple(f(v) for v in xs))
        self._vjps = jax.jit(lambda xs, cts: tuple(jax.vjp(f, v)[1](c)[0] for v, c in zip(xs, cts, strict=True)))

    def float32(self, x: np.ndarray, want: tuple[str, ...]) -> dict[str, np.ndarray]:
        outs = self._float32[want](jnp.asarray(x))
        return {q: np.asarray(o).astype(np.float64) for q, o in zip(want, outs, strict=True)}

    def values(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [np.asarray(o).astype(np.float64) for o in self._values(*[jnp.asarray(v) for v in xs])]

    def value(self, x: np.ndarray) -> np.ndarray:
        return self.values([x])[0]

    def vjps(self, xs: Sequence[np.ndarray], cts: Sequence[np.ndarray]) -> list[np.ndarray]:
        outs = self._vjps(tuple(jnp.asarray(v) for v in xs), tuple(jnp.asarray(c) for c in cts))
        return [np.asarray(o).astype(np.float64) for o in outs]


class _Torch:
    """A torch callable ``f(t)`` on CPU tensors; derivatives by autograd."""

    def __init__(self, torch: Any, f: Callable[[Any], Any]):
        self._t = torch
        self._f = f

    def _tensor(self, x: np.ndarray, requires_grad: bool = False) -> Any:
        t = self._t
        if x.dtype == ml_dtypes.bfloat16:  # torch cannot read ml_dtypes arrays: go through float32 (exact)
            return t.from_numpy(x.astype(np.float32)).to(t.bfloat16).requires_grad_(requires_grad)
        return t.from_numpy(np.ascontiguousarray(x)).clone().requires_grad_(requires_grad)

    @staticmethod
    def _np(t: Any) -> np.ndarray:
        return t.detach().float().numpy().astype(np.float64)

    def float32(self, x: np.ndarray, want: tuple[str, ...]) -> dict[str, np.ndarray]:
        tx = self._tensor(x, True)
        y = self._f(tx)
        out = {"value": self._np(y)}
        if "grad" in want:
            (g,) = self._t.autograd.grad(y.sum(), tx, create_graph="grad2" in want)
            out["grad"] = self._np(g)
            if "grad2" in want:
                g2 = None
                if g.requires_grad:
                    (g2,) = self._t.autograd.grad(g.sum(), tx, allow_unused=True)
                # piecewise-linear: autograd builds no second-order graph, f'' = 0
                out["grad2"] = np.zeros(x.shape) if g2 is None else self._np(g2)
        return out

    def values(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        with self._t.no_grad():
            return [self._np(self._f(self._tensor(v))) for v in xs]

    def value(self, x: np.ndarray) -> np.ndarray:
        return self.values([x])[0]

    def vjps(self, xs: Sequence[np.ndarray], cts: Sequence[np.ndarray]) -> list[np.ndarray]:
        out = []
        for v, c in zip(xs, cts, strict=True):
            tx = self._tensor(v, True)
            (g,) = self._t.autograd.grad(self._f(tx), tx, grad_outputs=self._tensor(c))
            out.append(self._np(g))
        return out


@dataclasses.dataclass(frozen=True)
class _Twin:
    """Another library's equivalent: ``fn(x, **theirs)``; ``args`` maps our parameter to ``(their name, convert)``.

    The twin applies to a parameter set only when every parameter the row sets is
    mapped; our (default) value of each mapped parameter is passed explicitly, so
    e.g. leaky_relu is compared at the same slope.
    """

    fn: Callable[..., Any]
    args: Mapping[str, tuple[str, Callable[[Any], Any]]] = dataclasses.field(default_factory=dict)


def _same(name: str) -> tuple[str, Callable[[Any], Any]]:
    return (name, lambda v: v)


def _jax_twins() -> dict[str, _Twin]:
    nn = jax.nn
    return {
        "relu": _Twin(nn.relu),
        "leaky_relu": _Twin(nn.leaky_relu, {"negative_slope": _same("negative_slope")}),
        "gelu": _Twin(nn.gelu, {"approximate": _same("approximate")}),
        "silu": _Twin(nn.silu),
        "mish": _Twin(nn.mish),
        "elu": _Twin(nn.elu, {"alpha": _same("alpha")}),
        "selu": _Twin(nn.selu),
        "celu": _Twin(nn.celu, {"alpha": _same("alpha")}),
        "softplus": _Twin(nn.softplus),
        "soft_sign": _Twin(nn.soft_sign),
        "sigmoid": _Twin(nn.sigmoid),
        "log_sigmoid": _Twin(nn.log_sigmoid),
        "tanh": _Twin(jnp.tanh),
        "hard_tanh": _Twin(nn.hard_tanh),
        "relu6": _Twin(nn.relu6),
        "hard_sigmoid": _Twin(nn.hard_sigmoid),  # relu6(x + 3) / 6, as Keras 3
        "hard_silu": _Twin(nn.hard_silu),
        "squareplus": _Twin(nn.squareplus, {"b": _same("b")}),
        "sparse_plus": _Twin(nn.sparse_plus),
        "sparse_sigmoid": _Twin(nn.sparse_sigmoid),
        "softmax": _Twin(nn.softmax, {"axis": _same("axis")}),
        "log_softmax": _Twin(nn.log_softmax, {"axis": _same("axis")}),
        "glu": _Twin(nn.glu, {"axis": _same("axis")}),
        "identity": _Twin(nn.identity),
        "exponential": _Twin(jnp.exp),
    }


def _torch_twins(torch: Any) -> dict[str, _Twin]:
    F = torch.nn.functional
    return {
        "relu": _Twin(torch.relu),
        "leaky_relu": _Twin(F.leaky_relu, {"negative_slope": _same("negative_slope")}),
        "gelu": _Twin(F.gelu, {"approximate": ("approximate", lambda v: "tanh" if v else "none")}),
        "silu": _Twin(F.silu),
        "mish": _Twin(F.mish),
        "elu": _Twin(F.elu, {"alpha": _same("alpha")}),
        "selu": _Twin(F.selu),
        "celu": _Twin(F.celu, {"alpha": _same("alpha")}),
        "softplus": _Twin(F.softplus),
        "soft_sign": _Twin(F.softsign),
        "sigmoid": _Twin(torch.sigmoid),
        "log_sigmoid": _Twin(F.logsigmoid),
        "tanh": _Twin(torch.tanh),
        "tanh_shrink": _Twin(F.tanhshrink),
        "hard_tanh": _Twin(F.hardtanh),
        "relu6": _Twin(F.relu6),
        "hard_sigmoid": _Twin(F.hardsigmoid),  # relu6(x + 3) / 6, as Keras 3
        "hard_silu": _Twin(F.hardswish),
        "hard_shrink": _Twin(F.hardshrink, {"threshold": _same("lambd"), "lambd": _same("lambd")}),
        "soft_shrink": _Twin(F.softshrink, {"threshold": _same("lambd"), "lambd": _same("lambd")}),
        "softmax": _Twin(lambda t, axis=-1: torch.softmax(t, dim=axis), {"axis": _same("axis")}),
        "log_softmax": _Twin(lambda t, axis=-1: torch.log_softmax(t, dim=axis), {"axis": _same("axis")}),
        "softmin": _Twin(lambda t, axis=-1: F.softmin(t, dim=axis), {"axis": _same("axis")}),
        "glu": _Twin(lambda t, axis=-1: F.glu(t, dim=axis), {"axis": _same("axis")}),
        "identity": _Twin(lambda t: t),
        "exponential": _Twin(torch.exp),
    }


def _canonical(table: Mapping[str, _Twin]) -> dict[str, _Twin]:
    """Re-key a twin table by our canonical names (its keys may be aliases, or not registered at all)."""
    out: dict[str, _Twin] = {}
    known = set(ja.names(aliases=True))
    for key, twin in table.items():
        if key in known:
            out.setdefault(ja.spec(key).name, twin)
    return out


def _load_torch() -> Any | None:
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def _twin_call(twin: _Twin, params: Mapping[str, Any], merged: Mapping[str, Any]) -> dict[str, Any] | None:
    """Their keyword arguments for our parameter set, or None when the twin cannot express it."""
    if any(k not in twin.args for k in params):
        return None
    return {their: conv(merged[ours]) for ours, (their, conv) in twin.args.items() if ours in merged}


# --------------------------------------------------------------------------- #
# Measuring
# --------------------------------------------------------------------------- #


def _json_num(v: Any) -> Any:
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def _record(
    name: str,
    params: Mapping[str, Any],
    library: str,
    dtype: str,
    quantity: str,
    x: np.ndarray,
    got: np.ndarray,
    ref: np.ndarray,
    err: np.ndarray,
) -> dict[str, Any]:
    err = np.asarray(err, dtype=np.float64).ravel()
    i = int(np.argmax(err))
    rec = {
        "function": name,
        "params": dict(params),
        "library": library,
        "dtype": dtype,
        "quantity": quantity,
        "max_ulp": float(err[i]),
        "p99_ulp": float(np.quantile(err, 0.99, method="higher")),
        "n": int(err.size),
        "worst_x": float(np.asarray(x, dtype=np.float64).ravel()[i]),
        "worst_got": float(np.asarray(got).ravel()[i]),
        "worst_ref": float(np.asarray(ref).ravel()[i]),
        "nonfinite": int(np.count_nonzero(np.isinf(err))),
    }
    if library == "jax_activations":
        rec["bar"] = bar(name, dtype, quantity)
    return rec


def _definitions_agree(impl: Any, r: Row, params: Mapping[str, Any], axis_kw: Mapping[str, Any]) -> bool:
    """Whether a twin computes the same function as our reference (a coarse check in the moderate range)."""
    try:
        if r.kind == "elementwise":
            x = np.linspace(-6.0, 6.0, 241, dtype=np.float32)
            ref = r.f(x.astype(np.float64), **params)
        else:
            x = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32) * 3
            ref = _axis_ref(r, x.astype(np.float64), params, axis_kw)
        got = impl.value(x)
    except Exception:  # a twin that cannot run this case is not comparable
        return False
    if got.shape != np.shape(ref):
        return False
    with np.errstate(all="ignore"):
        ok = np.abs(got - ref) <= 1e-5 * (1.0 + np.abs(ref))
    return bool(np.all(ok | (np.isnan(got) & np.isnan(ref))))


def _axis_ref(r: Row, x: np.ndarray, params: Mapping[str, Any], axis_kw: Mapping[str, Any]) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(r.f(x, **{**params, **axis_kw}), dtype=np.float64)


def _elementwise(
    name: str,
    r: Row,
    params: Mapping[str, Any],
    impls: Mapping[str, Any],
    dtypes: Sequence[str],
    settings: _Settings,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    x = grid(n_log=settings.n_log, n_lin=settings.n_lin)
    keep = ~np.isin(x, np.asarray(r.avoid, dtype=np.float32))  # derivatives: not at the kinks
    refs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if "float32" in dtypes:
        for q, fref in (("value", r.f), ("grad", r.df), ("grad2", r.d2f)):
            if fref is not None:
                refs[q] = hull(lambda v, fref=fref: fref(v, **params), x if q == "value" else x[keep])
    halves = [dt for dt in dtypes if dt != "float32"]
    xhs = [_half_grid(_DTYPES[dt]) for dt in halves]
    with np.errstate(all="ignore"):
        half_refs = [np.asarray(r.f(v.astype(np.float64), **params), dtype=np.float64) * np.ones(v.shape) for v in xhs]
    for lib, impl in impls.items():
        if refs:
            want = tuple(q for q in ("value", "grad", "grad2") if q in refs)
            got = None
            while got is None and want:
                try:
                    with np.errstate(all="ignore"):
                        got = impl.float32(x, want)
                except Exception:  # a twin without a second derivative: measure what it has
                    if lib == "jax_activations":
                        raise
                    want = want[:-1]
            for q, g in (got or {}).items():
                pts, g = (x, g) if q == "value" else (x[keep], g[keep])
                lo, hi = refs[q]
                out.append(_record(name, params, lib, "float32", q, pts, g, lo, ulp_error(g, lo, hi)))
        if not halves or (settings is _QUICK and lib != "jax_activations"):  # quick: half precision for ours only
            continue
        try:
            gots = impl.values(xhs)
        except Exception:  # e.g. torch without a half-precision kernel for this op
            if lib == "jax_activations":
                raise
            continue
        for dt, xh, ref, g in zip(halves, xhs, half_refs, gots, strict=True):
            out.append(_record(name, params, lib, dt, "value", xh, g, ref, ulp_error(g, ref, ref, dtype=_DTYPES[dt])))
    return out


def _vjp_references() -> dict[str, Callable[..., np.ndarray]]:
    """Float64 vector-Jacobian products ``vjp(x, ct, axis=..., **params)`` that reference modules publish as ``VJPS``."""
    import jax_activations.reference as refpkg

    out: dict[str, Callable[..., np.ndarray]] = {}
    for mod in vars(refpkg).values():
        table = getattr(mod, "VJPS", None) if getattr(mod, "__name__", "").startswith(refpkg.__name__ + ".") else None
        if isinstance(table, Mapping):
            out.update(table)
    return out


def _inputs_at_outputs(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The input element at each output position (glu's output is the first half along its axis)."""
    if x.shape == shape:
        return x
    ax = next(a for a, (n, m) in enumerate(zip(x.shape, shape, strict=True)) if n != m)
    return np.take(x, np.arange(shape[ax]), axis=ax)


def _axis(
    name: str,
    r: Row,
    params: Mapping[str, Any],
    axis_kw: Mapping[str, Any],
    impls: Mapping[str, Any],
    dtypes: Sequence[str],
    settings: _Settings,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    vjp_ref = _vjp_references().get(name) if "float32" in dtypes else None
    kw = {**params, **axis_kw}
    if r.name in ROW_SCALED:  # ULP of the row's scale (module docstring)

        def error(got: np.ndarray, ref: np.ndarray, dtype: Any, lo: Any = None, hi: Any = None) -> np.ndarray:
            return _row_ulp_error(got, ref, axis_kw.get("axis", -1), dtype)

    else:

        def error(got: np.ndarray, ref: np.ndarray, dtype: Any, lo: Any = None, hi: Any = None) -> np.ndarray:
            lo = ref if lo is None else lo
            hi = ref if hi is None else hi
            err = ulp_error(got, lo, hi, dtype=dtype)
            if r.name in ABSOLUTE_NEAR_ZERO:  # ULP of max(|y|, 1) (see ROW_SUM_BASED)
                err = np.minimum(err, _abs_error_in_ulp_of_one(got, lo, hi, dtype))
            return err

    cases = [(dt, b) for dt in dtypes for b in _axis_inputs(settings.rows_per_length, _DTYPES[dt], settings.lengths)]
    refs = [_axis_ref(r, b.astype(np.float64), params, axis_kw) for _, b in cases]
    hulls: list[tuple[Any, Any]] = [(None, None)] * len(cases)
    if r.name in ROW_SUM_BASED:  # hull with the reference at the float32-rounded shift (see ROW_SUM_BASED)
        hulls = []
        for (_, b), ref in zip(cases, refs, strict=True):
            ref2 = _axis_ref(r, _rounded_shift(b, r.name, axis_kw.get("axis", -1)), params, axis_kw)
            with np.errstate(invalid="ignore"):
                hulls.append((np.fmin(ref, ref2), np.fmax(ref, ref2)))
    f32 = [k for k, (dt, _) in enumerate(cases) if dt == "float32"]
    rng = np.random.default_rng(_SEED + 1)
    cts = [rng.standard_normal(refs[k].shape).astype(np.float32) for k in f32]
    vjp_refs = []
    if vjp_ref is not None:
        with np.errstate(all="ignore"):
            vjp_refs = [
                np.asarray(vjp_ref(cases[k][1].astype(np.float64), c.astype(np.float64), **kw))
                for k, c in zip(f32, cts, strict=True)
            ]
    for lib, impl in impls.items():
        try:
            gots = impl.values([b for _, b in cases])
            vjps = impl.vjps([cases[k][1] for k in f32], cts) if vjp_refs else []
        except Exception:  # e.g. torch without a half-precision kernel, or a twin without this axis
            if lib == "jax_activations":
                raise
            continue
        for dt in dtypes:
            ks = [k for k, (d, _) in enumerate(cases) if d == dt]
            cols = [
                [_inputs_at_outputs(cases[k][1].astype(np.float64), refs[k].shape).ravel() for k in ks],
                [gots[k].ravel() for k in ks],
                [refs[k].ravel() for k in ks],
                [error(gots[k], refs[k], _DTYPES[dt], *hulls[k]).ravel() for k in ks],
            ]
            out.append(_record(name, params, lib, dt, "value", *(np.concatenate(c) for c in cols)))
        if vjps:
            cols = [
                [cases[k][1].astype(np.float64).ravel() for k in f32],
                [g.ravel() for g in vjps],
                [g.ravel() for g in vjp_refs],
                [ulp_error(g, gr, gr).ravel() for g, gr in zip(vjps, vjp_refs, strict=True)],
            ]
            out.append(_record(name, params, lib, "float32", "vjp", *(np.concatenate(c) for c in cols)))
    return out


def _rounded_shift(b: np.ndarray, name: str, axis: Any) -> np.ndarray:
    """The row shifted by its max (softmin: its min) in float32, as the implementation forms it, in float64."""
    x = np.asarray(b, dtype=np.float32)
    with np.errstate(all="ignore"):
        m = (np.min if name == "softmin" else np.max)(x, axis=axis, keepdims=True)
        d = x - np.where(np.isfinite(m), m, np.float32(0.0))
    return d.astype(np.float64)


def _abs_error_in_ulp_of_one(got: np.ndarray, lo: np.ndarray, hi: np.ndarray, dtype: Any) -> np.ndarray:
    """Distance of ``got`` to ``[lo, hi]`` in units of ``dtype``'s spacing at ``max(|ref|, 1)`` (finite only)."""
    got = np.asarray(got, dtype=np.float64)
    with np.errstate(all="ignore"):
        dist = np.maximum(0.0, np.maximum(got - hi, lo - got))
        scale = np.maximum(np.maximum(np.abs(lo), np.abs(hi)), 1.0)
        err = dist / np.spacing(scale.astype(dtype)).astype(np.float64)
    return np.where(np.isfinite(got) & np.isfinite(lo) & np.isfinite(hi), err, np.inf)


def _row_ulp_error(got: np.ndarray, ref: np.ndarray, axis: Any, dtype: Any) -> np.ndarray:
    """Elementwise absolute error in ULP of the row's scale: ``dtype``'s spacing at ``max |ref|`` over ``axis``.

    The distance is to the interval between the reference and its rounding to
    ``dtype`` (as :func:`ulp_error`); non-finite results and references follow
    :func:`ulp_error`'s rules; absolute errors up to the smallest normal count as exact.
    """
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    axes = tuple(range(ref.ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    with np.errstate(all="ignore"):
        ref_r = ref.astype(dtype).astype(np.float64)
        scale = np.max(np.where(np.isfinite(ref), np.abs(ref), 0.0), axis=axes, keepdims=True)
        spacing = np.spacing(scale.astype(dtype)).astype(np.float64)
        spacing = np.maximum(spacing, float(np.spacing(np.array(ml_dtypes.finfo(dtype).tiny, dtype=dtype))))
        dist = np.maximum(0.0, np.maximum(got - np.maximum(ref, ref_r), np.minimum(ref, ref_r) - got))
        err = np.where(dist <= float(ml_dtypes.finfo(dtype).tiny), 0.0, dist / spacing)
    base = ulp_error(got, ref, ref, dtype=dtype)  # inf / NaN conventions
    return np.where(np.isfinite(got) & np.isfinite(ref), err, base)


def measure_impl(
    fn: Callable[[jax.Array], jax.Array],
    row: Row,
    params: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    library: str = "jax_activations",
    dtypes: Sequence[str] = ("float32", "float16", "bfloat16"),
    quick: bool = True,
    n_log: int | None = None,
    n_lin: int | None = None,
) -> list[dict[str, Any]]:
    """Measure one JAX implementation ``fn(x)`` of ``row`` (at ``params``) against its reference.

    The building block of :func:`measure`, usable on functions that are not
    registered (the harness's own tests feed it deliberately wrong ones).
    """
    params = dict(params or {})
    base = _QUICK if quick else _DENSE
    settings = dataclasses.replace(base, n_log=n_log or base.n_log, n_lin=n_lin or base.n_lin)
    impls = {library: _Jax(fn)}
    label = name or row.name
    if row.kind == "elementwise":
        return _elementwise(label, row, params, impls, dtypes, settings)
    return _axis(label, row, params, {"axis": params.get("axis", -1)}, impls, dtypes, settings)


def _select(names: Iterable[str] | None) -> list[str]:
    registered = set(ja.names())
    if names is None:
        chosen = sorted(n for n in ROWS if n in registered)
    else:
        chosen = []
        for n in names:
            canon = ja.spec(n).name  # unknown names raise ValueError with suggestions
            if canon not in ROWS:
                raise ValueError(f"names: {n!r} has no float64 reference row in jax_activations.reference")
            chosen.append(canon)
    return [n for n in dict.fromkeys(chosen) if ROWS[n].kind in ("elementwise", "axis")]


def measure(
    names: Iterable[str] | None = None,
    dtypes: Sequence[str] = ("float32", "float16", "bfloat16"),
    include: Sequence[str] = LIBRARIES,
    quick: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Measure the error of every selected activation, ours and its equivalents', in ULP.

    Args:
      names: activation names or aliases (default: every registered one with a
        reference row of kind ``elementwise`` or ``axis``).
      dtypes: any of ``"float32"`` (value, grad, grad2), ``"float16"``, ``"bfloat16"`` (values).
      include: libraries to measure: ``"jax_activations"``, ``"jax.nn"``, ``"torch"``
        (torch is skipped silently when it is not installed).
      quick: a coarser grid, fewer softmax rows and default parameters only.
      progress: called with a short message before each function.

    Returns:
      A list of records: ``function, params, library, dtype, quantity (value/grad/grad2),
      max_ulp, p99_ulp, n, worst_x, worst_got, worst_ref, nonfinite`` (+ ``bar`` for ours).
    """
    for d in dtypes:
        if d not in _DTYPES:
            raise ValueError(f"dtypes: {d!r} is not allowed; expected some of {', '.join(_DTYPES)}")
    for lib in include:
        if lib not in LIBRARIES:
            raise ValueError(f"include: {lib!r} is not allowed; expected some of {', '.join(LIBRARIES)}")
    settings = _QUICK if quick else _DENSE
    twins: dict[str, dict[str, _Twin]] = {}
    if "jax.nn" in include:
        twins["jax.nn"] = _canonical(_jax_twins())
    torch = _load_torch() if "torch" in include else None
    if torch is not None:
        twins["torch"] = _canonical(_torch_twins(torch))
    results: list[dict[str, Any]] = []
    for name in _select(names):
        r = ROWS[name]
        s = ja.spec(name)
        fn = s.fn
        for params in r.params if settings.all_params else r.params[:1]:
            params = dict(params)
            merged = {**s.params, **params}
            axis_kw = {"axis": merged.get("axis", -1)} if r.kind == "axis" else {}
            if progress is not None:
                progress(f"{name}{_label(params)}")
            impls: dict[str, Any] = {}
            if "jax_activations" in include:
                impls["jax_activations"] = _Jax(lambda v, fn=fn, params=params: fn(v, **params))
            for lib, table in twins.items():
                twin = table.get(name)
                kw = None if twin is None else _twin_call(twin, params, merged)
                if kw is None:
                    continue
                impl = (
                    _Jax(lambda v, f=twin.fn, kw=kw: f(v, **kw))
                    if lib == "jax.nn"
                    else _Torch(torch, lambda t, f=twin.fn, kw=kw: f(t, **kw))
                )
                if _definitions_agree(impl, r, params, axis_kw):
                    impls[lib] = impl
            if r.kind == "elementwise":
                results += _elementwise(name, r, params, impls, dtypes, settings)
            else:
                results += _axis(name, r, params, axis_kw, impls, dtypes, settings)
    return results


# --------------------------------------------------------------------------- #
# Judging and reporting
# --------------------------------------------------------------------------- #


def meets_bar(results: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ``jax_activations`` records above the bar, one line each (empty: all pass)."""
    fails = []
    for rec in results:
        if rec["library"] != "jax_activations":
            continue
        b = bar(rec["function"], rec["dtype"], rec["quantity"])
        m = float(rec["max_ulp"])
        if b is not None and not m <= b:
            what = "non-finite where the reference is finite" if math.isinf(m) else f"{_fmt(m)} ULP > {_fmt(b)}"
            fails.append(
                f"{rec['function']}{_label(rec['params'])} {rec['dtype']} {rec['quantity']}: {what} "
                f"at x={rec['worst_x']!r} (got {rec['worst_got']!r}, reference {rec['worst_ref']!r})"
            )
    return fails


def to_json(results: Iterable[Mapping[str, Any]]) -> str:
    """Strict JSON (non-finite numbers as the strings "inf", "-inf", "nan")."""
    clean = [{k: (_json_num(v) if isinstance(v, float) else v) for k, v in rec.items()} for rec in results]
    return json.dumps(clean, indent=1, allow_nan=False)


def _label(params: Mapping[str, Any]) -> str:
    return "(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")" if params else ""


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf"
    if v == 0:
        return "0"
    if v >= 1e4:
        mant, exp = f"{v:.1e}".split("e")
        return f"{mant}e{int(exp)}"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.2g}"


_COLUMNS = (
    ("ours value", "jax_activations", "float32", "value"),
    ("ours grad", "jax_activations", "float32", "grad"),
    ("jax.nn value", "jax.nn", "float32", "value"),
    ("jax.nn grad", "jax.nn", "float32", "grad"),
    ("torch value", "torch", "float32", "value"),
    ("torch grad", "torch", "float32", "grad"),
    ("ours f16", "jax_activations", "float16", "value"),
    ("ours bf16", "jax_activations", "bfloat16", "value"),
    ("ours grad²", "jax_activations", "float32", "grad2"),
)


def _table(keys: list[tuple[str, str]], index: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]]) -> list[str]:
    lines = ["| function | " + " | ".join(c[0] for c in _COLUMNS) + " |", "|---" * (len(_COLUMNS) + 1) + "|"]
    for fn, plabel in keys:
        cells = []
        for _, lib, dt, q in _COLUMNS:
            rec = index.get((fn, plabel, lib, dt, q))
            cell = _fmt(None if rec is None else rec["max_ulp"])
            b = bar(fn, dt, q)
            if rec is not None and lib == "jax_activations" and b is not None and not float(rec["max_ulp"]) <= b:
                cell = f"**{cell}** ✗"
            cells.append(cell)
        lines.append(f"| {fn}{plabel} | " + " | ".join(cells) + " |")
    return lines


def to_markdown(results: Sequence[Mapping[str, Any]]) -> str:
    """A markdown report: max ULP per function (default parameters first), the bar, and any misses."""
    index = {(r["function"], _label(r["params"]), r["library"], r["dtype"], r["quantity"]): r for r in results}
    order: dict[str, list[str]] = {}
    for r in results:
        labels = order.setdefault(r["function"], [])
        lab = _label(r["params"])
        if lab not in labels:
            labels.append(lab)
    first = [(fn, labs[0]) for fn, labs in order.items()]
    rest = [(fn, lab) for fn, labs in order.items() for lab in labs[1:]]
    libs = sorted({r["library"] for r in results})
    lines = [
        "Max error in float32 ULP (float16/bfloat16 columns: ULP of that dtype) against float64 references "
        "written from each formula; the error of an output is its distance to the hull of the reference at x "
        "and at x's two neighbours, absolute errors up to 1.18e-38 count as exact, `inf` means a non-finite "
        'result where the true one is finite. "—": no equivalent with the same definition, or not measured.',
        "",
        f"Libraries measured: {', '.join(libs)}.",
        "",
        *_table(first, index),
    ]
    if rest:
        lines += ["", "Other parameter sets:", "", *_table(rest, index)]
    vjps = [r for r in results if r["quantity"] == "vjp"]
    if vjps:
        lines += [
            "",
            "Axis functions, vector-Jacobian product with a seeded random cotangent, per element against the "
            "float64 VJP (informational, not judged: an element whose VJP cancels is ill-conditioned); "
            "max / 99th percentile ULP:",
            "",
            "| function | ours | jax.nn | torch |",
            "|---|---|---|---|",
        ]
        vkeys = list(dict.fromkeys((r["function"], _label(r["params"])) for r in vjps))
        for fn, plabel in vkeys:
            cells = []
            for lib in LIBRARIES:
                rec = index.get((fn, plabel, lib, "float32", "vjp"))
                cells.append("—" if rec is None else f"{_fmt(rec['max_ulp'])} / {_fmt(rec['p99_ulp'])}")
            lines.append(f"| {fn}{plabel} | " + " | ".join(cells) + " |")
    tanh_bar = max(value_bar(n) for n in TANH_BASED)
    lines += [
        "",
        f"Bar for jax_activations: value ≤ {_fmt(VALUE_BAR)} ULP ({_fmt(tanh_bar)} for tanh-based functions on "
        f"{jax.default_backend()}: XLA's own tanh error + 1), first derivative ≤ {_fmt(GRAD_BAR)}, "
        f"float16/bfloat16 ≤ {_fmt(HALF_BAR)}, second derivative ≤ {_fmt(SECOND_BAR)} and finite.",
    ]
    rowsum = sorted(ROW_SUM_BASED & set(order))
    if rowsum:
        prim = PRIMITIVE_ERROR.get(jax.default_backend(), {}).get("reduce_sum", 0.0)
        lines += [
            "",
            f"Row sums: {', '.join(rowsum)} use one plain row sum (XLA's reduce, the fused pass that keeps them as fast "
            f"as jax.nn); their value bar is {_fmt(VALUE_BAR)} + XLA's reduce-sum primitive error, about log2(n) ULP "
            f"for a row of n (measured on {jax.default_backend()}: {_fmt(prim)} ULP for rows of 16-1024 positive "
            f"float32 values) + 1 = {_fmt(value_bar(rowsum[0]))} ULP. The rounding of x - max is not counted (hull with "
            "the reference at the float32-rounded shift, as a one-ULP input change); log_softmax is graded in ULP of "
            "max(|y|, 1) (log of the row sum rounds at ulp(1)).",
        ]
    scaled = sorted(ROW_SCALED & set(order))
    if scaled:
        lines += [
            "",
            f"Row-scaled: {', '.join(scaled)} are measured in ULP of each row's scale (absolute error divided by the "
            "spacing of the dtype at the row's largest |y|, i.e. ulp(1) for a one-hot row), not in ULP of each "
            "output: a small output is the difference z - tau of two O(1) numbers, so a one-ULP change of an input "
            "moves it by ~1e-7 absolutely and its own ULP would measure the conditioning, not the implementation.",
        ]
    fails = meets_bar(results)
    lines += ["", "Misses: none." if not fails else "Misses:", *[f"- {f}" for f in fails]]
    measured = set(order)
    skipped = [n for n in ROWS if n not in measured and ROWS[n].kind not in ("elementwise", "axis")]
    if skipped:
        kinds = ", ".join(f"{n} ({ROWS[n].kind})" for n in skipped)
        lines += ["", f"Not measured here: {kinds}."]
    return "\n".join(lines) + "\n"
