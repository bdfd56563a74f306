"""Sigmoidal and exponential families: hand-computed values, validation, tails, memory, beta > 1.

The generic table-driven checks (ULP bars over the whole float32 range, dtypes,
limits, transformations) live in test_functions.py; this file pins what that
table cannot: published constants, closed forms at chosen points, error
messages, the far tails of the derivatives and what reverse mode saves.
"""

from __future__ import annotations

import contextlib
import doctest
import functools
import io
import math

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import pytest
from _bars import GRAD_BAR, SECOND_BAR, reduced_grid
from jax.ad_checkpoint import print_saved_residuals
from scipy import special

import jax_activations as ja
from jax_activations.functions import _exponential
from jax_activations.reference import ROWS
from jax_activations.reference.ulp import hull, ulp_error

NAMES = [
    "sigmoid",
    "log_sigmoid",
    "tanh",
    "tanh_shrink",
    "softsign",
    "softplus",
    "sparse_plus",
    "squareplus",
    "selu",
    "celu",
    "exponential",
]
TINY = float(np.finfo(np.float32).tiny)
LN2 = math.log(2.0)
E = math.e


def f32(v):
    return jnp.asarray(v, jnp.float32)


def grad(f, **kw):
    return jax.grad(lambda v: f(v, **kw))


def grad2(f, **kw):
    return jax.grad(jax.grad(lambda v: f(v, **kw)))


# --------------------------------------------------------------------------- #
# Values at hand-computed points
# --------------------------------------------------------------------------- #

# (name, params, x, exact value written from the math)
HAND = [
    ("sigmoid", {}, 0.0, 0.5),
    ("sigmoid", {}, math.log(3.0), 0.75),  # 1 / (1 + 1/3)
    ("sigmoid", {}, -math.log(3.0), 0.25),
    ("sigmoid", {}, -80.0, math.exp(-80.0)),  # 1/(1 + e^80) = e^-80 to 1e-35
    ("log_sigmoid", {}, 0.0, -LN2),
    ("log_sigmoid", {}, math.log(3.0), math.log(0.75)),
    ("log_sigmoid", {}, 50.0, -math.exp(-50.0)),  # -log1p(e^-50)
    ("log_sigmoid", {}, -100.0, -100.0),
    ("tanh", {}, 0.0, 0.0),
    ("tanh", {}, LN2, 0.6),  # (4 - 1) / (4 + 1)
    ("tanh", {}, -LN2, -0.6),
    ("tanh_shrink", {}, LN2, LN2 - 0.6),
    ("tanh_shrink", {}, 1e-3, 1e-9 / 3 - 2e-15 / 15),  # the series x^3/3 - 2x^5/15
    ("tanh_shrink", {}, -1e-6, -1e-18 / 3),
    ("tanh_shrink", {}, 100.0, 99.0),
    ("softsign", {}, 1.0, 0.5),
    ("softsign", {}, -3.0, -0.75),
    ("softsign", {}, np.inf, 1.0),
    ("softsign", {}, -np.inf, -1.0),
    ("softplus", {}, 0.0, LN2),
    ("softplus", {}, math.log(3.0), math.log(4.0)),
    ("softplus", {}, -50.0, math.exp(-50.0)),
    ("softplus", {"beta": 2.0}, 0.0, LN2 / 2),
    ("softplus", {"beta": 0.5}, 2.0 * math.log(3.0), 2.0 * math.log(4.0)),
    ("softplus", {"beta": 2.0}, 3e38, 3e38),  # beta*x overflows; the value does not
    # e^-92 is subnormal (flushed), e^-92/beta is not (beta = 2^-10 so beta*x = -92 exactly)
    ("softplus", {"beta": 2.0**-10}, -92.0 * 1024, math.exp(-92.0) * 1024),
    ("sparse_plus", {}, -1.0, 0.0),
    ("sparse_plus", {}, 0.0, 0.25),
    ("sparse_plus", {}, 0.5, 0.5625),
    ("sparse_plus", {}, 1.0, 1.0),
    ("squareplus", {}, 0.0, 1.0),  # sqrt(4)/2
    ("squareplus", {}, 1.5, 2.0),  # (1.5 + 2.5)/2
    ("squareplus", {}, -1.5, 0.5),  # (-1.5 + 2.5)/2
    ("squareplus", {"b": 0.0}, 0.0, 0.0),
    ("squareplus", {"b": 0.0}, -2.0, 0.0),
    ("squareplus", {}, -1e30, 1e-30),  # b / (4|x|): the direct form gives 0
    ("squareplus", {}, 3e38, 3e38),  # x^2 overflows; the value does not
    ("squareplus", {"b": 1e30}, -3e38, 1e30 / (4 * 3e38)),
    ("selu", {}, 1.0, _exponential.SELU_SCALE),
    ("selu", {}, -1.0, _exponential.SELU_SCALE * _exponential.SELU_ALPHA * (math.exp(-1.0) - 1.0)),
    ("selu", {}, -np.inf, -_exponential.SELU_SCALE * _exponential.SELU_ALPHA),
    ("celu", {}, -1.0, math.exp(-1.0) - 1.0),
    ("celu", {"alpha": 2.0}, -1.0, 2.0 * (math.exp(-0.5) - 1.0)),
    ("celu", {"alpha": 0.5}, 3.0, 3.0),
    ("celu", {"alpha": 2.0}, -2.5e-38, -2.5e-38),  # x/alpha is subnormal (flushed); the value is not
    ("exponential", {}, 0.0, 1.0),
    ("exponential", {}, 1.0, E),
    ("exponential", {}, -80.0, math.exp(-80.0)),
]


@pytest.mark.parametrize(("name", "params", "x", "expected"), HAND)
def test_hand_computed_values(name, params, x, expected):
    got = float(ja.get(name)(f32(x), **params))
    assert got == pytest.approx(expected, rel=4e-7, abs=0), f"{name}({x}, {params}) = {got!r}, expected {expected!r}"


def test_selu_constants_are_the_published_ones():
    # Klambauer et al. 2017, to the precision they are published with
    assert _exponential.SELU_ALPHA == 1.6732632423543772848170429916717
    assert _exponential.SELU_SCALE == 1.0507009873554804934193349852946
    assert float(ja.selu(f32(1.0))) == np.float32(1.0507009873554804934193349852946)
    assert float(ja.selu(f32(-np.inf))) == np.float32(
        -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
    )
    # selu'(0) = scale * alpha (the left derivative)
    assert float(jax.grad(ja.selu)(f32(0.0))) == pytest.approx(1.7580993408473768599402175208123, rel=1e-7)


def test_celu_with_alpha_one_is_elu():
    x = jnp.linspace(-20.0, 5.0, 1001)
    np.testing.assert_array_equal(np.asarray(ja.celu(x)), np.asarray(ja.elu(x)))


def test_log_sigmoid_is_minus_softplus_of_minus_x():
    x = jnp.asarray(reduced_grid())
    np.testing.assert_allclose(np.asarray(ja.log_sigmoid(x)), -np.asarray(ja.softplus(-x)), rtol=2.5e-7, atol=0)


def test_softplus_has_no_threshold_jump():
    # torch switches to x at beta*x > 20: a jump of e^-20/beta. Ours is the function itself.
    x = jnp.asarray(np.linspace(9.0, 11.0, 2001), jnp.float32)
    for beta in (2.0, 1.0):
        got = np.asarray(ja.softplus(x, beta=beta), np.float64)
        xd = np.asarray(x, np.float64)
        ref = np.logaddexp(0.0, beta * xd) / beta
        assert np.max(np.abs(got - ref) / np.spacing(np.abs(ref).astype(np.float32))) <= 1.0


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #

BAD = [
    ("softplus", "beta", 0.0),
    ("softplus", "beta", -1.0),
    ("softplus", "beta", np.nan),
    ("softplus", "beta", np.inf),
    ("squareplus", "b", -1.0),
    ("squareplus", "b", np.nan),
    ("squareplus", "b", np.inf),
    ("celu", "alpha", 0.0),
    ("celu", "alpha", -1.0),
    ("celu", "alpha", np.nan),
]


@pytest.mark.parametrize(("name", "arg", "value"), BAD)
def test_bad_hyperparameters_raise_naming_the_argument(name, arg, value):
    with pytest.raises(ValueError, match=rf"{name}: {arg}=.*expected a finite number"):
        ja.get(name)(f32(1.0), **{arg: value})
    with pytest.raises(ValueError, match=rf"{arg}="):
        ja.get(name, **{arg: value})
    with pytest.raises(ValueError, match=rf"{arg}="):
        ja.deserialize({"name": name, "config": {arg: value}})


def test_bad_hyperparameter_in_an_array_is_caught():
    with pytest.raises(ValueError, match="beta"):
        ja.softplus(f32(1.0), beta=np.array([1.0, -2.0], np.float32))


@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "softsign", "selu", "exponential", "sparse_plus", "log_sigmoid", "tanh_shrink"]
)
def test_parameterless_functions_reject_parameters(name):
    with pytest.raises(TypeError, match=name):
        ja.get(name)(f32(1.0), 2.0)
    with pytest.raises(TypeError, match="unknown argument"):
        ja.get(name)(f32(1.0), beta=2.0)


def test_boundary_values_are_allowed():
    assert float(ja.squareplus(f32(3.0), b=0.0)) == 3.0  # b = 0 is relu
    assert np.isfinite(float(ja.softplus(f32(1.0), beta=1e-30)))


# --------------------------------------------------------------------------- #
# Tails of the derivatives (where s(1-s), 1-tanh^2 and expm1's jvp give 0)
# --------------------------------------------------------------------------- #

SA = _exponential.SELU_SCALE * _exponential.SELU_ALPHA
TAILS = [
    # (what, computed, exact)
    ("sigmoid'(20)", lambda: grad(ja.sigmoid)(f32(20.0)), math.exp(-20) / (1 + math.exp(-20)) ** 2),
    ("sigmoid'(-80)", lambda: grad(ja.sigmoid)(f32(-80.0)), math.exp(-80)),
    ("sigmoid''(30)", lambda: grad2(ja.sigmoid)(f32(30.0)), -math.exp(-30)),
    ("sigmoid''(1e-20)", lambda: grad2(ja.sigmoid)(f32(1e-20)), -1e-20 / 8),  # the product rule gives 0 here
    ("tanh'(10)", lambda: grad(ja.tanh)(f32(10.0)), 4 * math.exp(-20) / (1 + math.exp(-20)) ** 2),
    ("tanh'(-40)", lambda: grad(ja.tanh)(f32(-40.0)), 4 * math.exp(-80)),
    ("tanh''(20)", lambda: grad2(ja.tanh)(f32(20.0)), -8 * math.exp(-40)),
    ("tanh_shrink'(1e-3)", lambda: grad(ja.tanh_shrink)(f32(1e-3)), math.tanh(1e-3) ** 2),
    ("tanh_shrink''(20)", lambda: grad2(ja.tanh_shrink)(f32(20.0)), 8 * math.exp(-40)),
    ("elu'(-30)", lambda: grad(ja.elu)(f32(-30.0)), math.exp(-30)),
    ("selu'(-30)", lambda: grad(ja.selu)(f32(-30.0)), SA * math.exp(-30)),
    ("celu'(-30, alpha=1.5)", lambda: grad(ja.celu, alpha=1.5)(f32(-30.0)), math.exp(-20)),
    ("celu''(-30, alpha=1.5)", lambda: grad2(ja.celu, alpha=1.5)(f32(-30.0)), math.exp(-20) / 1.5),
    ("log_sigmoid'(30)", lambda: grad(ja.log_sigmoid)(f32(30.0)), math.exp(-30) / (1 + math.exp(-30))),
    ("log_sigmoid''(30)", lambda: grad2(ja.log_sigmoid)(f32(30.0)), -math.exp(-30)),
    ("softplus'(-30)", lambda: grad(ja.softplus)(f32(-30.0)), math.exp(-30)),
    ("softplus''(30)", lambda: grad2(ja.softplus)(f32(30.0)), math.exp(-30)),  # expm1's jvp (ans + 1) gives 0
    ("softplus'(-20, beta=2)", lambda: grad(ja.softplus, beta=2.0)(f32(-20.0)), math.exp(-40)),
    ("softsign'(1e10)", lambda: grad(ja.softsign)(f32(1e10)), 1e-20),
    ("softsign'(3e38)", lambda: grad(ja.softsign)(f32(3e38)), 0.0),
    ("squareplus'(-1e4)", lambda: grad(ja.squareplus)(f32(-1e4)), 1e-8),  # b / (4 x^2)
    ("squareplus'(-1e20, b=1e6)", lambda: grad(ja.squareplus, b=1e6)(f32(-1e20)), 1e6 / 4e40),  # x^2 overflows
    ("squareplus''(1e4)", lambda: grad2(ja.squareplus)(f32(1e4)), 4 / (2 * (1e8 + 4) ** 1.5)),
    (
        "squareplus''(-1e20, b=1e30)",
        lambda: grad2(ja.squareplus, b=1e30)(f32(-1e20)),
        1e30 / (2 * (1e40 + 1e30) ** 1.5),
    ),
    (
        "squareplus'(-1e20, b=1e30)",
        lambda: grad(ja.squareplus, b=1e30)(f32(-1e20)),
        1e30 / (2 * math.sqrt(1e40 + 1e30) * (math.sqrt(1e40 + 1e30) + 1e20)),
    ),
    ("sparse_plus'(inf)", lambda: grad(ja.sparse_plus)(f32(np.inf)), 1.0),
    ("sparse_plus'(-inf)", lambda: grad(ja.sparse_plus)(f32(-np.inf)), 0.0),
    ("exponential'(-80)", lambda: grad(ja.exponential)(f32(-80.0)), math.exp(-80)),
]


@pytest.mark.parametrize(("what", "computed", "exact"), TAILS, ids=[t[0] for t in TAILS])
def test_derivative_tails(what, computed, exact):
    got = float(computed())
    if exact == 0.0:
        assert got == 0.0, f"{what} = {got!r}"
    else:
        assert got == pytest.approx(exact, rel=1e-6, abs=0), f"{what} = {got!r}, expected {exact!r}"


# --------------------------------------------------------------------------- #
# softplus with beta > 1: the derivative comes from the output
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("beta", [2.0, 3.0, 10.0])
def test_softplus_beta_above_one(beta):
    """Values <= 4 ULP everywhere; derivatives within the bar down to beta * 1.2e-38.

    The derivative sigmoid(beta x) = 1 - exp(-beta y) is computed from the output
    y (reverse mode saves only y). Where y is below the smallest normal float it
    is flushed to 0 on CPU, while the derivative (about beta * y there) may still
    be normal: below beta * 1.2e-38 an absolute error up to that size is allowed.
    """
    r = ROWS["softplus"]
    x = reduced_grid()
    x = np.concatenate([x, np.linspace(-90.0 / beta, -80.0 / beta, 401, dtype=np.float32)])
    got = np.asarray(ja.softplus(jnp.asarray(x), beta=beta))
    lo, hi = hull(lambda v: r.f(v, beta=beta), x)
    assert ulp_error(got, lo, hi).max() <= 4.0
    for order, ref, bar in ((1, r.df, GRAD_BAR), (2, r.d2f, SECOND_BAR)):
        g = functools.partial(ja.softplus, beta=beta)
        for _ in range(order):
            g = jax.grad(g)
        d = np.asarray(jax.vmap(g)(jnp.asarray(x)), np.float64)
        lo, hi = hull(functools.partial(ref, beta=beta), x)
        err = ulp_error(d, lo, hi)
        floor = beta * beta * TINY
        excused = (hi <= floor) & (np.abs(d - lo) <= floor)
        worst = float(np.max(np.where(excused, 0.0, err)))
        assert worst <= bar, f"softplus^({order}) beta={beta}: {worst} ULP"


# --------------------------------------------------------------------------- #
# Memory: what reverse mode saves
# --------------------------------------------------------------------------- #


def _saved(f, x):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_saved_residuals(lambda v: jnp.sum(f(v)), x)
    return [line for line in out.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["softplus", "exponential", "log_sigmoid"])
def test_reverse_mode_saves_only_the_output(name):
    x = jnp.linspace(-3.0, 3.0, 1024)
    saved = _saved(ja.get(name), x)
    assert len(saved) == 1, saved
    assert saved[0].startswith("f32[1024]") and "output" in saved[0], saved  # y, not the argument x


@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "tanh_shrink", "softsign", "sparse_plus", "squareplus", "selu", "celu"]
)
def test_reverse_mode_saves_one_array(name):
    # these need x (the tails of their derivatives cannot be recovered from the saturated output)
    x = jnp.linspace(-3.0, 3.0, 1024)
    saved = _saved(ja.get(name), x)
    assert len(saved) == 1 and saved[0].startswith("f32[1024]"), saved


def test_softplus_configured_saves_only_the_output():
    x = jnp.linspace(-3.0, 3.0, 1024)
    saved = _saved(ja.get("softplus", beta=2.0), x)
    sized = [s for s in saved if s.startswith("f32[1024]")]
    assert len(sized) == 1 and "output" in sized[0], saved


# --------------------------------------------------------------------------- #
# Parameters: traced, differentiable, finite at +-inf
# --------------------------------------------------------------------------- #

PARAM_GRADS = [
    # d/dparam at x = -inf, +inf: the limits are constant in the parameter (celu(-inf) = -alpha)
    ("softplus", "beta", 0.7, (0.0, 0.0)),
    ("celu", "alpha", 0.7, (-1.0, 0.0)),
    ("squareplus", "b", 0.7, (0.0, 0.0)),
]


@pytest.mark.parametrize(("name", "arg", "value", "expected"), PARAM_GRADS)
def test_parameter_gradients_finite_at_infinity(name, arg, value, expected):
    f = ja.get(name)
    g = jax.vmap(jax.grad(lambda p, v: f(v, **{arg: p})), (None, 0))(f32(value), f32([-np.inf, np.inf]))
    np.testing.assert_array_equal(np.asarray(g), np.asarray(expected, np.float32))


def test_softplus_beta_gradient_matches_the_formula():
    # d/dbeta [log(1 + e^{bx}) / b] = x s(bx) / b - log(1 + e^{bx}) / b^2
    x = np.linspace(-5.0, 5.0, 41).astype(np.float32)
    b = 0.7
    got = np.asarray(jax.vmap(jax.grad(lambda p, v: ja.softplus(v, beta=p)), (None, 0))(f32(b), jnp.asarray(x)))
    xd = x.astype(np.float64)
    ref = xd * special.expit(b * xd) / b - np.logaddexp(0.0, b * xd) / b**2
    np.testing.assert_allclose(got, ref, rtol=2e-5, atol=1e-6)


def test_celu_alpha_gradient_matches_the_formula():
    # d/dalpha [alpha (e^{x/alpha} - 1)] = e^{x/alpha} - 1 - (x/alpha) e^{x/alpha}
    x = np.linspace(-5.0, -0.1, 41).astype(np.float32)
    a = 1.7
    got = np.asarray(jax.vmap(jax.grad(lambda p, v: ja.celu(v, alpha=p)), (None, 0))(f32(a), jnp.asarray(x)))
    u = x.astype(np.float64) / a
    np.testing.assert_allclose(got, np.expm1(u) - u * np.exp(u), rtol=2e-5, atol=1e-6)


def test_squareplus_b_gradient_matches_the_formula():
    # d/db (x + sqrt(x^2 + b))/2 = 1 / (4 sqrt(x^2 + b))
    x = np.linspace(-50.0, 50.0, 41).astype(np.float32)
    got = np.asarray(jax.vmap(jax.grad(lambda p, v: ja.squareplus(v, b=p)), (None, 0))(f32(3.0), jnp.asarray(x)))
    np.testing.assert_allclose(got, 0.25 / np.sqrt(x.astype(np.float64) ** 2 + 3.0), rtol=2e-5)


def test_squareplus_b_zero_is_relu_with_half_slope_at_zero():
    x = f32([-2.0, -1e-30, 0.0, 1e-30, 2.0])
    np.testing.assert_array_equal(
        np.asarray(ja.squareplus(x, b=0.0)), np.asarray([0.0, 0.0, 0.0, 1e-30, 2.0], np.float32)
    )
    d = np.asarray(jax.vmap(jax.grad(lambda v: ja.squareplus(v, b=0.0)))(x))
    np.testing.assert_array_equal(d, np.asarray([0.0, 0.0, 0.5, 1.0, 1.0], np.float32))


# --------------------------------------------------------------------------- #
# Non-smooth rows: gradients checked away from their seams
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("name", "params"), [("softsign", {}), ("selu", {}), ("celu", {"alpha": 1.7}), ("sparse_plus", {})]
)
def test_check_grads_away_from_seams(name, params):
    f = ja.get(name)
    x = jnp.asarray([-2.7, -1.6, -0.4, 0.3, 0.8, 1.9, 2.9])
    jax.test_util.check_grads(lambda v: f(v, **params), (x,), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)


def test_softsign_second_derivative_convention_at_zero():
    assert float(grad2(ja.softsign)(f32(0.0))) == 0.0
    assert float(grad2(ja.softsign)(f32(1e-6))) == pytest.approx(-2.0, rel=1e-5)
    assert float(grad2(ja.softsign)(f32(-1e-6))) == pytest.approx(2.0, rel=1e-5)


# --------------------------------------------------------------------------- #
# Docstring examples (the registry wraps the functions, so --doctest-modules skips them)
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", [*NAMES, "elu"])
def test_docstring_examples_run(name):
    fn = ja.get(name)
    tests = doctest.DocTestFinder(exclude_empty=False).find(fn, name, globs={})
    assert tests and tests[0].examples, f"{name} has no docstring example"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)  # outputs are exact reprs
    for t in tests:
        runner.run(t)
    assert runner.failures == 0, f"{name}: {runner.failures} docstring example(s) failed"


# --------------------------------------------------------------------------- #
# Dense grids where intermediates used to leave the normal range
# --------------------------------------------------------------------------- #

DENSE = [
    # (name, params, order, lo, hi): e^{-2|x|} is subnormal from |x| = 43.7 while tanh' = 4e^{-2|x|} is normal
    # up to 44.4 (and tanh'' = 8e^{-2|x|} to 44.7); a 4e/(1+e)^2 without the shifted tail flushes them to 0 there
    ("tanh", {}, 1, 43.0, 45.0),
    ("tanh", {}, 1, -45.0, -43.0),
    ("tanh", {}, 2, -45.0, -43.0),
    ("tanh_shrink", {}, 2, -45.0, -43.0),
    ("tanh", {}, 1, -3.0, 3.0),
    # selu' = scale alpha e^x: e^x is subnormal below -87.3 while selu' is normal down to -87.9
    ("selu", {}, 1, -89.0, -86.0),
    # squareplus: the power-of-two scaling switches at |x| = 2^60 (b k^2 would be subnormal past it for b = 0.3)
    ("squareplus", {"b": 0.3}, 1, -(2.0**61), -(2.0**59)),
    ("squareplus", {"b": 0.3}, 0, -(2.0**61), -(2.0**59)),
]


@pytest.mark.parametrize(("name", "params", "order", "lo", "hi"), DENSE)
def test_dense_grids_where_intermediates_leave_the_normal_range(name, params, order, lo, hi):
    r = ROWS[name]
    x = np.linspace(lo, hi, 20001, dtype=np.float32)
    g = functools.partial(ja.get(name), **params)
    for _ in range(order):
        g = jax.grad(g)
    got = np.asarray(jax.jit(jax.vmap(g))(jnp.asarray(x)), np.float64)
    ref = (r.f, r.df, r.d2f)[order]
    lo_r, hi_r = hull(functools.partial(ref, **params), x)
    err = ulp_error(got, lo_r, hi_r)
    bar = (4.0, GRAD_BAR, SECOND_BAR)[order]
    i = int(np.argmax(err))
    assert err[i] <= bar, f"{name}^({order}){params} at x = {x[i]!r}: {got[i]!r} vs {lo_r[i]!r} ({err[i]:.3g} ULP)"
