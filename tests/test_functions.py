"""Table-driven tests of every registered elementwise activation against float64 references."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import pytest
from _bars import GRAD_BAR, HALF_BAR, SECOND_BAR, reduced_grid, value_bar

import jax_activations as ja
from jax_activations.reference import ROWS
from jax_activations.reference.ulp import hull, ulp_error

ELEMENTWISE = sorted(n for n, r in ROWS.items() if r.kind == "elementwise")
CASES = [(n, i) for n in ELEMENTWISE for i in range(len(ROWS[n].params))]
GRID = reduced_grid()


def _f32(params):
    """Parameters as the float32 function sees them: references use the same values."""
    return {k: (float(np.float32(v)) if isinstance(v, float) else v) for k, v in params.items()}


def _call(name, params):
    fn = ja.get(name)
    return lambda x: fn(x, **params)


def test_every_registered_activation_has_a_reference_row():
    missing = [n for n in ja.names() if ja.spec(n).builtin and n not in ROWS]
    assert not missing, f"registered activations without a reference row: {missing}"
    extra = [n for n in ROWS if n not in ja.names()]
    assert not extra, f"reference rows for unregistered names: {extra}"


@pytest.mark.parametrize(("name", "i"), CASES)
def test_values_within_bar_over_whole_range(name, i):
    r = ROWS[name]
    params = r.params[i]
    got = np.asarray(_call(name, params)(jnp.asarray(GRID)))
    lo, hi = hull(lambda v: r.f(v, **_f32(params)), GRID)
    err = ulp_error(got, lo, hi)
    worst = int(np.argmax(err))
    assert err.max() <= value_bar(name), (
        f"{name}{params}: {err.max():.3g} ULP at x={GRID[worst]!r}: got {got[worst]!r}, ref [{lo[worst]!r}, {hi[worst]!r}]"
    )


@pytest.mark.parametrize(("name", "i"), CASES)
def test_gradients_within_bar_over_whole_range(name, i):
    r = ROWS[name]
    if r.df is None:
        pytest.skip("no closed-form derivative in the reference table")
    params = r.params[i]
    g = jax.vmap(jax.grad(_call(name, params)))
    x = GRID[~np.isin(GRID, np.asarray(r.avoid, dtype=np.float32))]
    got = np.asarray(g(jnp.asarray(x)))
    lo, hi = hull(lambda v: r.df(v, **_f32(params)), x)
    err = ulp_error(got, lo, hi)
    worst = int(np.argmax(err))
    assert err.max() <= GRAD_BAR, (
        f"{name}'{params}: {err.max():.3g} ULP at x={x[worst]!r}: got {got[worst]!r}, ref [{lo[worst]!r}, {hi[worst]!r}]"
    )


@pytest.mark.parametrize(("name", "i"), [(n, i) for n, i in CASES if ROWS[n].d2f is not None])
def test_second_derivatives(name, i):
    r = ROWS[name]
    params = r.params[i]
    g2 = jax.vmap(jax.grad(jax.grad(_call(name, params))))
    x = GRID[~np.isin(GRID, np.asarray(r.avoid, dtype=np.float32))]
    got = np.asarray(g2(jnp.asarray(x)))
    lo, hi = hull(lambda v: r.d2f(v, **_f32(params)), x)
    err = ulp_error(got, lo, hi)
    worst = int(np.argmax(err))
    assert err.max() <= SECOND_BAR, f"{name}''{params}: {err.max():.3g} ULP at x={x[worst]!r}: got {got[worst]!r}"


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_half_precision_rounded_once(name, dtype):
    r = ROWS[name]
    info = jnp.finfo(dtype)
    x = np.concatenate([np.linspace(-12, 12, 801), np.geomspace(float(info.tiny), float(info.max), 200)])
    x = np.concatenate([x, -x]).astype(dtype)
    got = np.asarray(ja.get(name)(jnp.asarray(x)))
    assert got.dtype == np.dtype(dtype)
    ref = r.f(x.astype(np.float64))
    err = ulp_error(got.astype(np.float64), ref, ref, dtype=dtype)
    worst = int(np.argmax(err))
    assert err.max() <= HALF_BAR, f"{name} {np.dtype(dtype)}: {err.max():.3g} ULP at x={x[worst]!r}"


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if ROWS[n].kinks])
def test_kink_gradient_conventions(name):
    for x0, params, expected in ROWS[name].kinks:
        got = float(jax.grad(_call(name, params))(jnp.float32(x0)))
        assert got == pytest.approx(expected, rel=1e-6, abs=0), f"{name}'({x0}) with {params}: {got} != {expected}"


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if ROWS[n].limits])
def test_limits_at_infinity(name):
    for x0, params, value, slope in ROWS[name].limits:
        f = _call(name, params)
        v = float(f(jnp.float32(x0)))
        d = float(jax.grad(f)(jnp.float32(x0)))
        assert v == pytest.approx(value, rel=1e-6, abs=1e-30), f"{name}({x0}) = {v}, expected {value}"
        assert d == pytest.approx(slope, rel=1e-6, abs=1e-30), f"{name}'({x0}) = {d}, expected {slope}"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_nan_in_nan_out(name):
    got = ja.get(name)(jnp.array([np.nan, 1.0], jnp.float32))
    assert np.isnan(np.asarray(got)[0]) and not np.isnan(np.asarray(got)[1])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_transformations_agree(name):
    f = ja.get(name)
    x = jnp.linspace(-3.3, 3.1, 12, dtype=jnp.float32)
    eager = np.asarray(f(x))
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(x)), eager)
    np.testing.assert_allclose(np.asarray(jax.vmap(f)(x)), eager, rtol=1e-6, atol=1e-7)
    grad = np.asarray(jax.vmap(jax.grad(f))(x))
    jac_fwd = np.asarray(jax.jacfwd(f)(x))
    jac_rev = np.asarray(jax.jacrev(f)(x))
    np.testing.assert_allclose(np.diag(jac_fwd), grad, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.diag(jac_rev), grad, rtol=1e-6, atol=1e-7)
    hess = np.asarray(jax.hessian(lambda v: f(v).sum())(x))
    second = np.asarray(jax.vmap(jax.grad(jax.grad(f)))(x))
    np.testing.assert_allclose(np.diag(hess), second, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if ROWS[n].smooth])
def test_check_grads_orders_1_and_2(name):
    f = ja.get(name)
    x = (
        jnp.asarray(np.linspace(-2.7, 2.9, 9), dtype=jnp.float64)
        if jax.config.jax_enable_x64
        else jnp.linspace(-2.7, 2.9, 9)
    )
    jax.test_util.check_grads(f, (x,), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_dtype_rules(name):
    f = ja.get(name)
    for dtype in (jnp.float16, jnp.bfloat16, jnp.float32):
        assert f(jnp.ones(3, dtype)).dtype == dtype
    assert f(jnp.arange(3)).dtype == jnp.result_type(float)
    assert f(jnp.array([True, False])).dtype == jnp.result_type(float)
    with pytest.raises(TypeError, match="complex"):
        f(jnp.ones(3, jnp.complex64))


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if len(ROWS[n].params) > 1])
def test_float32_parameter_does_not_promote_bfloat16(name):
    params = {k: jnp.float32(v) for k, v in ROWS[name].params[1].items() if isinstance(v, float)}
    if not params:
        pytest.skip("no float parameters")
    out = ja.get(name)(jnp.ones(4, jnp.bfloat16), **params)
    assert out.dtype == jnp.bfloat16


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if len(ROWS[n].params) > 1])
def test_traced_parameters_do_not_recompile_and_have_gradients(name):
    r = ROWS[name]
    floats = {k: v for k, v in r.params[1].items() if isinstance(v, float)}
    if not floats:
        pytest.skip("no float parameters")
    k, v = next(iter(floats.items()))
    f = ja.get(name)
    x = jnp.linspace(-2.1, 2.3, 7)

    def loss(p):
        return jnp.sum(f(x, **{**r.params[1], k: p}))

    got = jax.jit(jax.grad(loss))(jnp.float32(v))
    eps = 1e-3 * max(1.0, abs(v))
    fd = (float(loss(v + eps)) - float(loss(v - eps))) / (2 * eps)
    assert float(got) == pytest.approx(fd, rel=2e-2, abs=2e-3)
