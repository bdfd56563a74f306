"""``lean=True``: output-based derivatives for elu, selu, celu, sigmoid and tanh (no extra training memory).

The default derivatives of these five keep the input ``x`` (exact in the tails); ``lean=True`` computes the
derivative from the output alone, as jax.nn does, so reverse mode keeps nothing the next layer does not keep
already.  The price is absolute, not relative, accuracy where the output saturates.  References are the float64
rows written from the formulas (``jax_activations.reference``).
"""

from __future__ import annotations

import functools
import sys

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import pytest
from _bars import reduced_grid

import jax_activations as ja
from jax_activations.reference import ROWS

LEAN = {"elu": {"alpha": 1.5}, "selu": {}, "celu": {"alpha": 0.5}, "sigmoid": {}, "tanh": {}}
EPS = 2.0**-24
SELU_SCALE = 1.0507009873554804934  # Klambauer et al. 2017


def _fn(name, lean, params):
    return functools.partial(getattr(ja, name), lean=lean, **params)


@pytest.mark.parametrize("name", sorted(LEAN))
def test_values_are_the_default_values(name):
    x = jnp.asarray(reduced_grid(), jnp.float32)
    params = LEAN[name]
    np.testing.assert_array_equal(np.asarray(_fn(name, True, params)(x)), np.asarray(_fn(name, False, params)(x)))


@pytest.mark.parametrize("name", sorted(LEAN))
def test_gradient_within_an_absolute_ulp_of_the_output_scale(name):
    # y-based rules lose relative accuracy where y saturates, but stay within a few ulp of the output's scale:
    # |error| <= 8 eps (1 + |f'|), where eps = 2^-24 (XLA's CPU tanh is 4.3 ULP, squared by 1 - y^2).
    params = LEAN[name]
    x = reduced_grid()
    x = x[np.abs(x) < 1e4]  # the interesting range; +-inf is tested below
    g = np.asarray(jax.vmap(jax.grad(_fn(name, True, params)))(jnp.asarray(x, jnp.float32)), np.float64)
    ref = ROWS[name].df(x.astype(np.float32).astype(np.float64), **params)
    scale = 1.0 + max(params.get("alpha", 1.0), 1.0) * (1.0 + np.abs(ref))
    err = np.abs(g - ref) / scale
    worst = int(np.argmax(err))
    assert err[worst] <= 8 * EPS, f"{name} lean grad at x={x[worst]!r}: got {g[worst]!r}, want {ref[worst]!r}"


@pytest.mark.parametrize("name", sorted(LEAN))
def test_gradient_limits_at_infinity(name):
    params = LEAN[name]
    g = np.asarray(jax.vmap(jax.grad(_fn(name, True, params)))(jnp.array([-jnp.inf, jnp.inf])))
    want = {"elu": [0, 1], "selu": [0, SELU_SCALE], "celu": [0, 1], "sigmoid": [0, 0], "tanh": [0, 0]}[name]
    np.testing.assert_allclose(g, want, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(LEAN))
def test_default_is_exact_where_lean_saturates(name):
    # The trade-off both ways: at x = -30 (elu family) / 30 (sigmoid) / 12 (tanh) the lean derivative has
    # rounded to 0 while the default one is the true, normal, derivative to a few ULP.
    params = LEAN[name]
    x = {"elu": -30.0, "selu": -30.0, "celu": -20.0, "sigmoid": 30.0, "tanh": 12.0}[name]
    ref = float(ROWS[name].df(np.array([x]), **params)[0])
    exact = float(jax.grad(_fn(name, False, params))(jnp.float32(x)))
    lean = float(jax.grad(_fn(name, True, params))(jnp.float32(x)))
    assert ref > 1e-30
    assert abs(exact - ref) <= 8 * np.spacing(np.float32(ref))
    assert lean == 0.0


@pytest.mark.parametrize("name", sorted(LEAN))
def test_second_derivatives_where_smooth(name):
    params = LEAN[name]
    f = _fn(name, True, params)
    pts = [0.3, 1.7, -0.8] if name in ("sigmoid", "tanh") else [-0.8, -2.5]  # elu family: away from the kink
    for p in pts:
        jax.test_util.check_grads(f, (jnp.float32(p),), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)
        d2 = float(jax.grad(jax.grad(f))(jnp.float32(p)))
        ref = float(ROWS[name].d2f(np.array([p]), **params)[0])
        assert abs(d2 - ref) <= 1e-5 * (1 + abs(ref)), (name, p, d2, ref)


def _mlp_extra_buffers(act, batch=256, width=256, layers=3):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "benchmarks"))
    import memory  # benchmarks/memory.py: compile-only temp bytes of jit(grad) of an MLP

    base = memory.mlp_temp_bytes(lambda v: v, batch=batch, width=width, layers=layers)
    temp = memory.mlp_temp_bytes(act, batch=batch, width=width, layers=layers)
    return (temp - base) / (batch * width * 4) / (layers - 1)


@pytest.mark.parametrize("name", sorted(LEAN))
def test_lean_keeps_no_extra_training_memory(name):
    params = LEAN[name]
    assert _mlp_extra_buffers(_fn(name, True, params)) == 0.0
    assert _mlp_extra_buffers(_fn(name, False, params)) == 1.0  # the default keeps x: one buffer per layer


@pytest.mark.parametrize("name", sorted(LEAN))
def test_lean_serializes_and_jits(name):
    cfg = {"name": name, "config": {"lean": True, **LEAN[name]}}
    act = ja.get(cfg)
    assert ja.serialize(act) == cfg
    x = jnp.linspace(-3.0, 3.0, 7)
    np.testing.assert_array_equal(
        np.asarray(jax.jit(jax.grad(lambda v: act(v).sum()))(x)),
        np.asarray(jax.grad(lambda v: _fn(name, True, LEAN[name])(v).sum())(x)),
    )


def test_bad_lean_values_name_the_argument():
    with pytest.raises(ValueError, match=r"tanh: lean='yes' is not allowed; expected True or False"):
        ja.tanh(jnp.ones(3), lean="yes")
    with pytest.raises(ValueError, match=r"elu: alpha=-1.0 with lean=True is not allowed; expected alpha >= 0"):
        ja.elu(jnp.ones(3), alpha=-1.0, lean=True)
    assert np.isfinite(np.asarray(ja.elu(jnp.ones(3), alpha=-1.0))).all()  # the default rule has no such limit


OUTPUT_BASED = {  # name -> config: the activations whose backward pass reads the output
    "softplus": {},
    "log_sigmoid": {},
    "exponential": {},
    **{n: {"lean": True, **p} for n, p in LEAN.items()},
}


@pytest.mark.parametrize("name", sorted(OUTPUT_BASED))
@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_half_precision_saves_the_half_precision_output(name, dtype):
    # An output-based rule saves the output the activation returns (half the bytes of its float32 opmath
    # value).  softplus, log_sigmoid and exponential stay within 2 ULP from it; the lean rules, which lose
    # relative accuracy where the output saturates, are as accurate as the rounded output allows.
    cfg = OUTPUT_BASED[name]
    f = functools.partial(getattr(ja, name), **cfg)
    x = jnp.linspace(-6.0, 6.0, 1024).astype(dtype)
    _, pull = jax.vjp(f, x)
    saved = [leaf for leaf in jax.tree_util.tree_leaves(pull) if getattr(leaf, "size", 0) == x.size]
    assert saved and all(leaf.dtype == dtype for leaf in saved), [(leaf.dtype, leaf.shape) for leaf in saved]
    (g,) = pull(jnp.ones_like(x))
    xd = np.asarray(x, np.float64)
    ref = ROWS[name].df(xd, **{k: v for k, v in cfg.items() if k != "lean"})
    err = np.abs(np.asarray(g, np.float64) - ref)
    if cfg.get("lean"):  # from the rounded output: absolute accuracy, at the output's own resolution
        one = float(np.spacing(np.array(1.0, dtype)))
        assert np.all(err <= 2 * one * max(cfg.get("alpha", 1.0), 1.0) * (1.0 + np.abs(ref)))
    else:  # exact rules from the output: within 2 ULP of the half-precision derivative
        ulp = np.spacing(np.abs(ref).astype(dtype)).astype(np.float64)
        assert np.all(err <= 2 * ulp + 1e-30)


def test_elu_layers_take_lean():
    from jax_activations import linen, nnx

    x = jnp.array([-30.0, -1.0, 2.0])
    ref = ROWS["elu"].df(np.asarray(x, np.float64), alpha=1.0)
    for make in (linen.ELU, nnx.ELU):
        exact = make()
        lean = make(lean=True)
        call = (lambda m, v: m(v)) if make is nnx.ELU else (lambda m, v: m.apply({}, v))
        g_exact = np.asarray(jax.grad(lambda v, m=exact, call=call: call(m, v).sum())(x), np.float64)
        g_lean = np.asarray(jax.grad(lambda v, m=lean, call=call: call(m, v).sum())(x), np.float64)
        np.testing.assert_allclose(g_exact, ref, rtol=1e-6)  # exact in the tail
        assert g_lean[0] == 0.0 and abs(g_lean[1] - ref[1]) <= 1e-7 and g_lean[2] == 1.0
