"""Tests of the axis-wise activations (softmax, log_softmax, softmin, sparsemax, entmax15, glu).

Table-driven over the ``kind="axis"`` reference rows: values and vector-Jacobian
products against float64 references written from the math
(:mod:`jax_activations.reference._normalizers`), plus masks, empty rows, the
published examples, dtype rules, errors and transformations.

Tolerances are ``K * eps32 * magnitude`` where ``magnitude`` is the size of the
terms the formula adds up (so a cancellation that is inherent in float32 input
is allowed, and nothing more); ``K`` is stated per check.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jax_activations as ja
from jax_activations.reference import ROWS
from jax_activations.reference._normalizers import VJPS

EPS = float(np.finfo(np.float32).eps)
TINY = float(np.finfo(np.float32).tiny)  # XLA on CPU flushes subnormals
NAMES = sorted(n for n, r in ROWS.items() if r.kind == "axis")
SIMPLEX = ("softmax", "softmin", "sparsemax", "entmax15")
MASKABLE = ("softmax", "log_softmax", "softmin")

# Shapes per parameter set: 1-D, 2-D (axis 0) and 3-D with a tuple of axes.
SHAPES = {(): [(7,), (3, 5), (2, 3, 4)], (("axis", 0),): [(5, 3), (6,)], (("axis", (0, 1)),): [(3, 4), (3, 2, 5)]}
GLU_SHAPES = {(): [(8,), (3, 6), (2, 3, 4)], (("axis", 0),): [(4, 3), (6,)]}


def _key(params):
    return tuple(sorted(params.items()))


def _inputs(name, shape, kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "normal":
        x = rng.normal(scale=3.0, size=shape)
    elif kind == "small":  # ties and near-ties: support edges for the sparse ones
        x = rng.normal(scale=0.3, size=shape)
    else:  # wide dynamic range, +-1e30 and -inf entries (never a whole glu half of -inf)
        x = rng.normal(scale=3.0, size=shape) * 10.0 ** rng.integers(-3, 4, size=shape)
        flat = x.reshape(-1)
        picks = rng.choice(flat.size, size=min(3, flat.size - 1), replace=False)
        # an excluded entry: -inf for the softmax side, +inf for softmin (its -x is -inf)
        specials = {"glu": [1e30, -1e30, 80.0], "softmin": [1e30, -1e30, np.inf]}.get(name, [1e30, -1e30, -np.inf])
        for p, v in zip(picks, specials, strict=False):
            flat[p] = v
    return x.astype(np.float32)


def _cases():
    out = []
    for name in NAMES:
        for params in ROWS[name].params:
            shapes = (GLU_SHAPES if name == "glu" else SHAPES)[_key(params)]
            for shape in shapes:
                for kind in ("normal", "small", "wide"):
                    out.append(pytest.param(name, params, shape, kind, id=f"{name}-{_key(params)}-{shape}-{kind}"))
    return out


CASES = _cases()


def _axes(axis, ndim):
    axis = -1 if axis is None else axis
    return tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))


def _shifted(x, axis, sign=1.0):
    """|x - max| over the axes, in float64 (how far from the top each logit is)."""
    v = sign * x.astype(np.float64)
    ax = _axes(axis, x.ndim)
    with np.errstate(invalid="ignore"):
        m = np.max(v, axis=ax, keepdims=True)
        d = np.abs(v - np.where(np.isfinite(m), m, 0.0))
    return np.where(np.isfinite(d), d, 0.0)


def _value_magnitude(name, x, ref, params):
    axis = params.get("axis", -1)
    if name in ("softmax", "softmin"):
        d = _shifted(x, axis, -1.0 if name == "softmin" else 1.0)
        return np.abs(ref) * (1.0 + d)  # exp(x - m) inherits the rounding of x - m
    if name == "log_softmax":
        d = _shifted(x, axis)
        # + 1: log(row sum) is rounded at ulp(1), so entries near 0 (the max) are accurate absolutely, as jax.nn's
        return np.where(np.isfinite(ref), np.abs(ref) + d + 1.0, 0.0) + 1e-30
    if name == "glu":
        return np.abs(ref)
    return np.ones_like(ref)  # sparsemax / entmax15: on the simplex, absolute error


def _close(got, ref, mag, k):
    got = np.asarray(got, dtype=np.float64)
    same_inf = (got == ref) | (np.isnan(got) & np.isnan(ref))
    err = np.where(same_inf, 0.0, np.abs(got - ref))
    bar = k * EPS * mag + TINY
    ratio = err / bar
    worst = np.unravel_index(int(np.nanargmax(ratio)), ratio.shape) if ratio.size else ()
    return float(np.nanmax(ratio)) if ratio.size else 0.0, worst


@pytest.mark.parametrize(("name", "params", "shape", "kind"), CASES)
def test_values_match_float64_reference(name, params, shape, kind):
    x = _inputs(name, shape, kind, seed=hash((name, shape, kind)) % 2**32)
    ref = ROWS[name].f(x.astype(np.float64), **params)
    got = np.asarray(getattr(ja, name)(jnp.asarray(x), **params))
    assert got.shape == ref.shape and got.dtype == np.float32
    assert not np.any(np.isnan(got)), "NaN for a NaN-free input"
    ratio, worst = _close(got, ref, _value_magnitude(name, x, ref, params), k=8)
    assert ratio <= 1.0, f"{name}{params} at {worst}: got {got[worst]!r}, want {ref[worst]!r} ({ratio:.2f} x bar)"


def _grad_magnitude(name, x, ct, ref_y, params):
    axis = params.get("axis", -1)
    ax = _axes(axis, x.ndim)
    act = np.abs(ct)

    def tot(v):
        return np.sum(v, axis=ax, keepdims=True)

    if name in ("softmax", "softmin"):
        d = _shifted(x, axis, -1.0 if name == "softmin" else 1.0)
        return ref_y * (1.0 + d) * (act + tot(ref_y * act))
    if name == "log_softmax":
        d = _shifted(x, axis)
        p = np.exp(ref_y)
        return act + p * (1.0 + d) * tot(act)
    # sparse ones: sizes of the terms, plus the error of y near the support edge
    live = (ref_y > 0).astype(np.float64)
    return live * (act + tot(act * live) / np.maximum(tot(live), 1.0))


@pytest.mark.parametrize(("name", "params", "shape", "kind"), [c for c in CASES if c.values[3] != "wide"])
def test_vjp_matches_float64_reference(name, params, shape, kind):
    seed = hash((name, shape, kind, "grad")) % 2**32
    x = _inputs(name, shape, kind, seed=seed)
    fn = getattr(ja, name)
    y, vjp = jax.vjp(lambda v: fn(v, **params), jnp.asarray(x))
    ct = np.random.default_rng(seed + 1).normal(size=y.shape).astype(np.float32)
    (got,) = vjp(jnp.asarray(ct))
    ref = VJPS[name](x.astype(np.float64), ct.astype(np.float64), **params)
    ref_y = ROWS[name].f(x.astype(np.float64), **params)
    if name == "glu":
        mag = np.abs(ref) + 0.0
    else:
        mag = _grad_magnitude(name, x, ct.astype(np.float64), ref_y, params)
    ratio, worst = _close(np.asarray(got), ref, mag, k=16)
    assert ratio <= 1.0, f"{name}{params} grad at {worst}: got {np.asarray(got)[worst]!r}, want {ref[worst]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_gradient_finite_and_right_on_wide_inputs(name):
    # +-1e30 and -inf logits: the gradient stays finite (a -inf logit's own output is constant only with a mask).
    x = _inputs(name, (3, 6), "wide", seed=11)
    fn = getattr(ja, name)
    y, vjp = jax.vjp(fn, jnp.asarray(x))
    ct = np.random.default_rng(12).normal(size=y.shape).astype(np.float32)
    (got,) = vjp(jnp.asarray(ct))
    got = np.asarray(got)
    assert np.all(np.isfinite(got))
    ref = VJPS[name](x.astype(np.float64), ct.astype(np.float64))
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5 * np.max(np.abs(ct)))


@pytest.mark.parametrize("name", NAMES)
def test_jacfwd_equals_jacrev_and_hessian_finite(name):
    x = jnp.asarray(np.random.default_rng(3).normal(size=(2, 6)).astype(np.float32))
    fn = getattr(ja, name)
    jf = np.asarray(jax.jacfwd(fn)(x))
    jr = np.asarray(jax.jacrev(fn)(x))
    np.testing.assert_allclose(jf, jr, rtol=1e-6, atol=1e-7)
    w = jnp.asarray(np.random.default_rng(4).normal(size=fn(x).shape).astype(np.float32))
    h = np.asarray(jax.hessian(lambda v: jnp.sum(fn(v) * w))(x))
    assert np.all(np.isfinite(h))


@pytest.mark.parametrize("name", ["softmax", "softmin", "log_softmax"])
def test_hessian_matches_float64_reference(name):
    # Second derivative of sum(w * f(x)) along a direction, by a float64 central difference of the reference VJP.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(5,))
    w = rng.normal(size=(5,))
    u = rng.normal(size=(5,))
    fn = getattr(ja, name)
    hvp = jax.jvp(
        jax.grad(lambda v: jnp.sum(fn(v) * jnp.asarray(w, jnp.float32))),
        (jnp.asarray(x, jnp.float32),),
        (jnp.asarray(u, jnp.float32),),
    )[1]
    h = 1e-5
    ref = (VJPS[name](x + h * u, w) - VJPS[name](x - h * u, w)) / (2 * h)
    np.testing.assert_allclose(np.asarray(hvp), ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["sparsemax", "entmax15"])
def test_sparse_hessian_is_the_derivative_of_the_rule(name):
    # sparsemax's Jacobian is piecewise constant (zero Hessian off the support edges);
    # entmax15's Hessian: check against a central difference of the float64 reference VJP.
    x = np.array([0.1, 0.9, 0.3, -2.0, 1.2])
    w = np.array([0.3, -1.0, 2.0, 0.5, 0.7])
    u = np.array([1.0, -0.5, 0.25, 2.0, -1.0])
    fn = getattr(ja, name)
    hvp = jax.jvp(
        jax.grad(lambda v: jnp.sum(fn(v) * jnp.asarray(w, jnp.float32))),
        (jnp.asarray(x, jnp.float32),),
        (jnp.asarray(u, jnp.float32),),
    )[1]
    h = 1e-6
    ref = (VJPS[name](x + h * u, w) - VJPS[name](x - h * u, w)) / (2 * h)
    np.testing.assert_allclose(np.asarray(hvp), ref, rtol=1e-4, atol=1e-4)


# --------------------------------------------------------------------------- #
# Masks, empty rows, infinities, NaN
# --------------------------------------------------------------------------- #

MASK_X = np.array([[1.0, 2.0, 1.0, -3.0], [0.5, -1.0, 4.0, 2.0], [3.0, 1.0, 0.0, 2.0]], dtype=np.float32)
MASK = np.array([[True, True, False, True], [False, False, False, False], [True, True, True, True]])


@pytest.mark.parametrize("name", MASKABLE)
def test_mask_values_and_gradients(name):
    fn = getattr(ja, name)
    got = np.asarray(fn(jnp.asarray(MASK_X), where=jnp.asarray(MASK)))
    ref = ROWS[name].f(MASK_X.astype(np.float64), where=MASK)
    masked_value = -np.inf if name == "log_softmax" else 0.0
    assert np.all(got[~MASK] == masked_value)
    np.testing.assert_allclose(got[MASK], ref[MASK], rtol=4e-7)
    ct = np.random.default_rng(7).normal(size=MASK_X.shape).astype(np.float32)
    _, vjp = jax.vjp(lambda v: fn(v, where=jnp.asarray(MASK)), jnp.asarray(MASK_X))
    (g,) = vjp(jnp.asarray(ct))
    g = np.asarray(g)
    assert np.all(np.isfinite(g))
    assert np.all(g[~MASK] == 0.0), "masked positions must get exactly zero gradient"
    assert np.all(g[1] == 0.0), "a fully masked row must get a zero gradient"
    np.testing.assert_allclose(g, VJPS[name](MASK_X.astype(np.float64), ct, where=MASK), rtol=1e-5, atol=1e-6)
    # jacobian and hessian stay finite with a mask
    assert np.all(np.isfinite(np.asarray(jax.jacfwd(lambda v: fn(v, where=jnp.asarray(MASK)))(jnp.asarray(MASK_X)))))
    hess = jax.hessian(lambda v: jnp.sum(jnp.where(jnp.asarray(MASK), fn(v, where=jnp.asarray(MASK)), 0.0)))(
        jnp.asarray(MASK_X)
    )
    assert np.all(np.isfinite(np.asarray(hess)))


def test_mask_ignores_nan_at_masked_positions_and_broadcasts():
    x = jnp.array([[1.0, np.nan, 2.0], [0.0, np.nan, 1.0]])
    got = ja.softmax(x, where=jnp.array([True, False, True]))  # (3,) broadcasts to (2, 3)
    ref = ROWS["softmax"].f(np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 1.0]]), where=np.array([True, False, True]))
    np.testing.assert_allclose(np.asarray(got), ref, rtol=4e-7)


def test_mask_errors():
    x = jnp.ones((2, 3))
    with pytest.raises(ValueError, match=r"where.*\(2,\).*\(2, 3\)"):
        ja.softmax(x, where=jnp.array([True, False]))
    with pytest.raises(TypeError, match="where"):
        ja.softmax(x, where=jnp.ones((2, 3), jnp.float32))


@pytest.mark.parametrize("name", NAMES)
def test_all_minus_inf_row_gives_zeros_and_zero_gradient(name):
    if name == "glu":
        x = jnp.full((2, 4), -jnp.inf).at[1].set(1.0)
        y = np.asarray(ja.glu(x))
        assert np.all(np.isnan(y[0])), "glu(-inf gated by sigmoid(-inf)) = -inf * 0 is NaN, as the math"
        return
    x = jnp.full((2, 4), -jnp.inf).at[1].set(jnp.array([1.0, 2.0, 3.0, 4.0]))
    fn = getattr(ja, name)
    y = np.asarray(fn(x))
    empty = -np.inf if name == "log_softmax" else (0.0 if name != "softmin" else None)
    if name == "softmin":  # softmin's empty row is all +inf
        x = x.at[0].set(jnp.inf)
        y = np.asarray(fn(x))
        empty = 0.0
    assert np.all(y[0] == empty)
    np.testing.assert_allclose(y[1], ROWS[name].f(np.asarray(x[1], np.float64)), rtol=1e-6, atol=1e-7)
    g = np.asarray(jax.grad(lambda v: jnp.sum(jnp.where(jnp.isfinite(fn(v)), fn(v), 0.0) * jnp.arange(4.0)))(x))
    assert np.all(np.isfinite(g))
    assert np.all(g[0] == 0.0)


@pytest.mark.parametrize("name", ["sparsemax", "entmax15"])
def test_plus_inf_logits_share_the_mass(name):
    x = jnp.array([1.0, np.inf, 0.0, np.inf])
    np.testing.assert_allclose(np.asarray(getattr(ja, name)(x)), [0.0, 0.5, 0.0, 0.5], rtol=2 * EPS, atol=0)


@pytest.mark.parametrize("name", ["softmax", "softmin", "log_softmax"])
def test_plus_inf_logit_gives_a_nan_row_as_jax_nn(name):
    # The limit would need a second pass over every row; the row is NaN (jax.nn, Keras, PyTorch alike),
    # and the other rows are untouched.
    sign = -1.0 if name == "softmin" else 1.0
    x = jnp.array([[1.0, np.inf, 0.0, np.inf], [1.0, 2.0, 0.0, 1.0]]) * sign
    y = np.asarray(getattr(ja, name)(x))
    assert np.isnan(y[0]).all() and np.isfinite(y[1]).all()


@pytest.mark.parametrize("name", NAMES)
def test_nan_in_nan_row_out(name):
    x = jnp.array([[1.0, np.nan, 2.0, 0.0], [1.0, 3.0, 2.0, 0.0]])
    y = np.asarray(getattr(ja, name)(x))
    if name == "glu":
        assert np.isnan(y[0, 1]) and not np.isnan(y[1]).any()
    else:
        assert np.all(np.isnan(y[0])) and not np.isnan(y[1]).any()


# --------------------------------------------------------------------------- #
# Published examples and structural properties
# --------------------------------------------------------------------------- #


def test_keras_softmax_example():
    got = np.asarray(ja.softmax(jnp.array([[1.0, 2.0, 1.0]])))
    np.testing.assert_allclose(got, [[0.21194157, 0.5761169, 0.21194157]], rtol=2e-7)


def test_sparsemax_keras_bug_example():
    # keras-team/keras#23425: Keras 3.15 returns zeros here.
    np.testing.assert_allclose(np.asarray(ja.sparsemax(jnp.array([0.5, 1.0, 1.2]))), [0.0, 0.4, 0.6], atol=1e-7)


def test_sparsemax_and_entmax_hand_values():
    # entmax15([0, 1, 2]): half-logits [0, .5, 1], support {2, 3}, tau = .75 - sqrt(7)/4.
    tau = 0.75 - np.sqrt(7.0) / 4.0
    want = [0.0, (0.5 - tau) ** 2, (1.0 - tau) ** 2]
    np.testing.assert_allclose(np.asarray(ja.entmax15(jnp.array([0.0, 1.0, 2.0]))), want, rtol=1e-6, atol=1e-7)
    # A dominant logit takes all the mass; equal logits split it.
    np.testing.assert_array_equal(np.asarray(ja.sparsemax(jnp.array([0.0, 5.0, 1.0]))), [0.0, 1.0, 0.0])
    np.testing.assert_allclose(np.asarray(ja.entmax15(jnp.full((4,), 3.0))), [0.25] * 4, rtol=1e-7)


@pytest.mark.parametrize("name", SIMPLEX)
def test_rows_on_the_simplex(name):
    x = jnp.asarray(np.random.default_rng(9).normal(scale=2.0, size=(16, 9)).astype(np.float32))
    y = np.asarray(getattr(ja, name)(x))
    assert np.all(y >= 0)
    np.testing.assert_allclose(y.sum(-1), 1.0, atol=8 * EPS)
    if name in ("sparsemax", "entmax15"):
        assert np.any(y == 0), "sparse normalizers give exact zeros"


def test_glu_gates_the_second_half_with_an_accurate_sigmoid():
    x = jnp.array([[2.0, 3.0, 0.0, 20.0]])
    np.testing.assert_allclose(np.asarray(ja.glu(x)), [[1.0, 3.0 / (1.0 + np.exp(-20.0))]], rtol=2e-7)
    # d/db of a*sigmoid(b) at b=20: a*s(b)s(-b) ~ 6e-9 (s(1-s) would give 0).
    g = np.asarray(jax.grad(lambda v: ja.glu(v)[0, 1])(x))
    want = 3.0 * np.exp(-20.0) / (1.0 + np.exp(-20.0)) ** 2
    np.testing.assert_allclose(g[0, 3], want, rtol=4e-7)


# --------------------------------------------------------------------------- #
# dtypes, errors, transformations, memory
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_half_precision_in_half_out_rounded_once(name, dtype):
    x32 = np.random.default_rng(13).normal(scale=2.0, size=(4, 6)).astype(np.float32)
    xh = jnp.asarray(x32, dtype)
    y = getattr(ja, name)(xh)
    assert y.dtype == dtype
    ref = ROWS[name].f(np.asarray(xh.astype(jnp.float32), np.float64))
    rounded = np.asarray(jnp.asarray(ref, jnp.float32).astype(dtype), np.float64)
    spacing = np.abs(np.asarray(jnp.asarray(rounded, dtype).astype(jnp.float32), np.float64)) * float(
        jnp.finfo(dtype).eps
    )
    err = np.abs(np.asarray(y, np.float64) - ref)
    finite = np.isfinite(ref)
    assert np.all(err[finite] <= spacing[finite] + 1e-7), f"{name} {dtype}: more than 1 ULP off"


@pytest.mark.parametrize("name", NAMES)
def test_dtype_rules(name):
    fn = getattr(ja, name)
    assert fn(jnp.arange(4)).dtype == jnp.float32
    assert fn(jnp.array([True, False, True, True])).dtype == jnp.float32
    with pytest.raises(TypeError, match="complex"):
        fn(jnp.ones((4,), jnp.complex64))


@pytest.mark.parametrize("name", NAMES)
def test_zero_d_input_raises(name):
    with pytest.raises(ValueError, match="0-D"):
        getattr(ja, name)(jnp.float32(1.0))


@pytest.mark.parametrize("name", NAMES)
def test_axis_errors(name):
    fn = getattr(ja, name)
    x = jnp.ones((2, 4))
    with pytest.raises(ValueError, match=r"axis=5.*ndim=2"):
        fn(x, axis=5)
    with pytest.raises(TypeError, match="axis"):
        fn(x, axis=1.5)
    with pytest.raises(TypeError, match="axis"):
        fn(x, axis="last")
    if name == "glu":
        with pytest.raises(TypeError, match="axis"):
            fn(x, axis=(0, 1))
    else:
        with pytest.raises(ValueError, match="axis"):
            fn(x, axis=(1, 1))
        with pytest.raises(ValueError, match="axis"):
            fn(x, axis=(1, -1))
        with pytest.raises(ValueError, match=r"ndim=2"):
            fn(x, axis=(0, 2))


def test_glu_odd_size_raises():
    with pytest.raises(ValueError, match=r"size 5.*axis=-1"):
        ja.glu(jnp.ones((2, 5)))
    with pytest.raises(ValueError, match=r"size 3.*axis=0"):
        ja.glu(jnp.ones((3, 4)), axis=0)


@pytest.mark.parametrize("name", NAMES)
def test_one_d_input_and_vmap_over_rows_equal_the_2d_call(name):
    fn = getattr(ja, name)
    x = jnp.asarray(np.random.default_rng(17).normal(size=(5, 8)).astype(np.float32))
    full = np.asarray(fn(x))
    np.testing.assert_array_equal(np.asarray(jax.vmap(fn)(x)), full)
    np.testing.assert_array_equal(np.asarray(fn(x[2])), full[2])
    np.testing.assert_array_equal(np.asarray(jax.jit(fn)(x)), full)
    # axis=0 under vmap of the transposed layout
    np.testing.assert_allclose(np.asarray(fn(x.T, axis=0)), full.T, rtol=2e-7, atol=1e-8)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "glu"])
def test_tuple_axis_equals_flattened_axis(name):
    fn = getattr(ja, name)
    x = jnp.asarray(np.random.default_rng(19).normal(size=(3, 4, 5)).astype(np.float32))
    joint = np.asarray(fn(x, axis=(0, 2)))
    flat = np.asarray(fn(jnp.transpose(x, (1, 0, 2)).reshape(4, 15)))
    np.testing.assert_allclose(joint, np.transpose(flat.reshape(4, 3, 5), (1, 0, 2)), rtol=4e-7, atol=1e-8)
    np.testing.assert_allclose(
        np.asarray(fn(x, axis=None)), np.asarray(fn(x.reshape(-1))).reshape(x.shape), rtol=4e-7, atol=1e-8
    )


@pytest.mark.parametrize("name", NAMES)
def test_registry_round_trip_with_axis(name):
    axis = 0 if name == "glu" else (0, 1)
    act = ja.get(name, axis=axis)
    again = ja.deserialize(ja.serialize(act))
    assert again == act
    x = jnp.asarray(np.random.default_rng(21).normal(size=(4, 4, 2)).astype(np.float32))
    np.testing.assert_array_equal(np.asarray(again(x)), np.asarray(getattr(ja, name)(x, axis=axis)))


@pytest.mark.parametrize("name", NAMES)
def test_backward_saves_no_more_than_the_output(name):
    # jax.nn.softmax saves its output (plus two scalars); ours must not save more.
    x = jnp.asarray(np.random.default_rng(23).normal(size=(1024,)).astype(np.float32))
    kwargs = {"where": x > -1.0} if name in MASKABLE else {}
    _, vjp = jax.vjp(lambda v: getattr(ja, name)(v, **kwargs), x)
    saved = sum(leaf.nbytes for leaf in jax.tree_util.tree_leaves(vjp))
    assert saved <= x.nbytes, f"{name} saves {saved} bytes for a {x.nbytes}-byte input"


def test_bfloat16_log_softmax_gradient_compiles_without_folding_the_cotangent():
    # FACTS.md: jax.grad(sum(log_softmax)) on a large bf16 array makes XLA constant-fold a reduction of the
    # literal ones cotangent (slow to compile; the folded bf16 sum is also wrong: jax.nn gives 0.875 here,
    # the exact gradient is 0). No timing: check the compiled program holds no array-sized constant (a folded
    # scalar such as the float32 row length is fine), and the answer.
    n = 2**16
    x = jnp.ones((n,), jnp.bfloat16)
    g = jax.jit(jax.grad(lambda v: jnp.sum(ja.log_softmax(v))))
    hlo = g.lower(x).compile().as_text()
    shapes = re.findall(r"= \w+\[([0-9,]*)\]\S* constant\(", hlo)
    sizes = [int(np.prod([int(d) for d in sh.split(",") if d])) for sh in shapes]
    assert all(size < 1024 for size in sizes), f"array-sized constant in the compiled gradient: {shapes}"
    out = np.asarray(g(x), np.float64)
    assert out.dtype == np.float64 and np.all(np.abs(out) <= 1e-3)


# --------------------------------------------------------------------------- #
# Deep tails and ill-conditioned outputs (float64 references, ULP bars)
# --------------------------------------------------------------------------- #


def _gap_row(seed=3, n=63):
    # A top logit and 63 others 50-85 below it: x - max rounds in float32 (up to 4e-6), which exp amplifies.
    rng = np.random.default_rng(seed)
    return np.concatenate([[0.1234567], 0.1234567 - rng.uniform(50.0, 85.0, n)]).astype(np.float32)[None]


@pytest.mark.parametrize("name", ["softmax", "softmin"])
def test_softmax_with_wide_gaps_within_the_documented_bar(name):
    # Documented bar (speed first): exp(fl(x - max)) inherits the rounding of x - max, |x - max| * eps / 2
    # relative (a one-ULP change of the input does as much), plus 4 ULP for exp, the sum and the division.
    from jax_activations.reference.ulp import ulp_error

    x = _gap_row()
    x = -x if name == "softmin" else x
    ref = ROWS[name].f(x.astype(np.float64))
    got = np.asarray(getattr(ja, name)(jnp.asarray(x)), np.float64)
    assert np.all(ref[0, 1:] > 1e-37)  # the tail is normal: every element is graded
    d = _shifted(x, -1, -1.0 if name == "softmin" else 1.0)
    assert np.all(ulp_error(got, ref) <= 4.0 + d * 1.0 + 1.0)  # |d| eps / 2 relative is <= |d| ULP
    # a softmax without the max shift overflows: the bar is not vacuous
    assert ulp_error(got * (1 + 200 * EPS), ref).max() > 4.0 + 1.0


def test_log_softmax_deep_tail_absolute_near_zero():
    x = _gap_row()
    ref = ROWS["log_softmax"].f(x.astype(np.float64))
    got = np.asarray(ja.log_softmax(jnp.asarray(x)), np.float64)
    assert -1e-20 < ref[0, 0] < 0  # the top entry is -log1p(sum of the tail) ~ -3e-22
    # log(row sum) rounds at ulp(1): entries near 0 are right absolutely (as jax.nn), the others relatively
    d = _shifted(x, -1)
    assert np.all(np.abs(got - ref) <= 4 * EPS * (np.abs(ref) + d + 1.0))


def test_glu_deep_gate_keeps_products_that_are_normal():
    from scipy.special import expit

    # sigmoid(b) is subnormal (flushed to 0 on CPU) for b < -87.3, a * sigmoid(b) is not.
    a = np.array([1e10, 3e38, -300.0, 1.0, 2e30, 5.0])
    b = np.array([-95.0, -170.0, -86.5, -30.0, -150.0, -81.0])
    x = jnp.asarray(np.concatenate([a, b]), jnp.float32)
    a32, b32 = (np.asarray(v, np.float64) for v in np.split(np.asarray(x), 2))
    want = a32 * expit(b32)
    np.testing.assert_allclose(np.asarray(ja.glu(x), np.float64), want, rtol=4 * EPS)
    # gradients: d/da with a large cotangent, d/db where a * s(b) s(-b) is normal but s(b) is not
    ct = np.array([1e10, 1.0, 1.0, 1.0, 1.0, 3.0])
    g = np.asarray(jax.grad(lambda v: jnp.sum(ja.glu(v) * jnp.asarray(ct, jnp.float32)))(x), np.float64)
    ga, gb = ct * expit(b32), ct * a32 * expit(b32) * expit(-b32)
    ok = np.abs(ga) > TINY
    np.testing.assert_allclose(g[:6][ok], ga[ok], rtol=8 * EPS)
    np.testing.assert_allclose(g[6:], gb, rtol=8 * EPS)
    # bfloat16: the product rounds once
    xb = jnp.asarray([-300.0, -85.0], jnp.bfloat16)
    want_b = float(np.asarray(xb, np.float64)[0] * expit(np.asarray(xb, np.float64)[1]))
    assert float(ja.glu(xb)[0]) == float(jnp.asarray(want_b, jnp.bfloat16))


def test_entmax15_exact_threshold_tie_gives_exact_zeros():
    # bfloat16 logits [-195, -197 x 4, ...]: half-logits [0, -1, -1, -1, -1, ...], tau = -1 exactly, so the -197s
    # sit on the threshold and their value is 0 (a rounded tau made them (2^-23)^2 = 1.4e-14).
    x = jnp.asarray([-195.0, -197.0, -197.0, -197.0, -197.0, -200.0, -201.0, -198.0], jnp.bfloat16)
    y = np.asarray(ja.entmax15(x).astype(jnp.float32), np.float64)
    np.testing.assert_array_equal(y, [1.0, 0, 0, 0, 0, 0, 0, 0])
    y32 = np.asarray(ja.entmax15(x.astype(jnp.float32)), np.float64)
    np.testing.assert_array_equal(y32, [1.0, 0, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize("name", ["sparsemax", "entmax15"])
def test_sparse_values_within_4_ulp_of_the_row_scale(name):
    # Flat rows (support ~ the whole row, y ~ 1/n): a float32 tau alone costs entmax15 ~5 ULP of the row's scale.
    rng = np.random.default_rng(31)
    x = (rng.standard_normal((64, 40)) * 10.0 ** rng.uniform(-3, 0, (64, 1))).astype(np.float32)
    ref = ROWS[name].f(x.astype(np.float64))
    got = np.asarray(getattr(ja, name)(jnp.asarray(x)), np.float64)
    spacing = np.spacing(np.max(ref, axis=-1, keepdims=True).astype(np.float32)).astype(np.float64)
    assert np.max(np.abs(got - ref) / spacing) <= 4.0
    assert np.all((got > 0) == (ref > 0))


@pytest.mark.parametrize("name", ["softmax", "softmin"])
@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_half_precision_saves_the_half_precision_output(name, dtype):
    # The backward pass keeps the returned half-precision output (not its float32 opmath value, twice the
    # bytes), and the gradient from it still matches the float64 reference to the half-precision resolution.
    x = np.random.default_rng(7).normal(size=(4, 32)).astype(np.float32)
    xh = jnp.asarray(x).astype(dtype)
    _, pull = jax.vjp(getattr(ja, name), xh)
    saved = [leaf for leaf in jax.tree_util.tree_leaves(pull) if getattr(leaf, "size", 0) == xh.size]
    assert saved and all(leaf.dtype == dtype for leaf in saved), [(leaf.dtype, leaf.shape) for leaf in saved]
    ct = np.random.default_rng(8).normal(size=x.shape)
    (g,) = pull(jnp.asarray(ct).astype(dtype))
    ref = VJPS[name](np.asarray(xh, np.float64), np.asarray(jnp.asarray(ct).astype(dtype), np.float64))
    one = float(np.spacing(np.array(1.0, dtype)))
    np.testing.assert_allclose(np.asarray(g, np.float64), ref, rtol=0, atol=4 * one * np.max(np.abs(ct)))
