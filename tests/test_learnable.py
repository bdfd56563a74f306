"""Learnable activations: the pure functions against float64 references, and parameter recovery by training."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jax_activations as ja
import jax_activations.linen as L
from jax_activations.reference import ROWS

LEARNABLE = sorted(n for n, r in ROWS.items() if r.kind == "learnable")
CASES = [(n, i) for n in LEARNABLE for i in range(len(ROWS[n].params))]
EPS32 = float(np.finfo(np.float32).eps)
X = np.concatenate(
    [np.linspace(-12.0, 12.0, 1201), np.geomspace(1e-6, 80.0, 200), -np.geomspace(1e-6, 80.0, 200)]
).astype(np.float32)


def _args(params):
    return {k: jnp.asarray(v, jnp.float32) for k, v in params.items()}, {
        k: np.asarray(np.asarray(v, np.float32), np.float64) for k, v in params.items()
    }


def test_learnable_names_are_registered_as_learnable():
    assert set(LEARNABLE) == set(ja.names(kind="learnable"))


@pytest.mark.parametrize(("name", "i"), CASES)
def test_values_and_gradients_match_float64_reference(name, i):
    r = ROWS[name]
    jp, fp = _args(r.params[i])
    f = ja.get(name)
    x = X
    got = np.asarray(f(jnp.asarray(x), **jp), np.float64)
    ref = r.f(x.astype(np.float64), **fp)
    # Error in float32 ULPs of the larger of the result and the terms (|x| scale): interior zeros cancel.
    scale = np.abs(ref) + np.abs(x) + 1e-30
    assert np.max(np.abs(got - ref) / scale) <= 16 * EPS32, f"{name}{r.params[i]} values"
    keep = np.ones(x.shape, bool)
    for a in r.avoid:
        keep &= np.abs(x - a) > 1e-3
    g = np.asarray(jax.jit(jax.vmap(jax.grad(lambda v: f(v, **jp))))(jnp.asarray(x[keep])), np.float64)
    dref = r.df(x[keep].astype(np.float64), **fp)
    # The |x| term: sin, exp and tanh of a rounded float32 product alpha * x (periodic functions at large x).
    gscale = np.abs(dref) + 1.0 + np.abs(x[keep]) * 4 + np.abs(x[keep]) ** 2 * (name == "rational")
    assert np.max(np.abs(g - dref) / gscale) <= 64 * EPS32, f"{name}{r.params[i]} gradients"


@pytest.mark.parametrize("name", LEARNABLE)
def test_dtype_rules_and_no_promotion(name):
    r = ROWS[name]
    jp, _ = _args(r.params[-1])
    f = ja.get(name)
    for dt in (jnp.bfloat16, jnp.float16, jnp.float32):
        assert f(jnp.linspace(-2, 2, 5, dtype=dt), **jp).dtype == dt
    assert f(jnp.arange(3), **jp).dtype == jnp.result_type(float)


@pytest.mark.parametrize("name", LEARNABLE)
def test_jit_vmap_and_parameter_gradients(name):
    r = ROWS[name]
    jp, _ = _args(r.params[-1])
    f = ja.get(name)
    x = jnp.linspace(-2.3, 2.1, 8)
    eager = np.asarray(f(x, **jp))
    np.testing.assert_allclose(np.asarray(jax.jit(lambda v: f(v, **jp))(x)), eager, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda v: f(v, **jp))(x)), eager, rtol=1e-6, atol=1e-7)
    # Tiny by design (eps, epsilon): a finite-difference step would leave the domain.
    free = {k: v for k, v in jp.items() if k not in ("eps", "epsilon")}
    grads = jax.jit(jax.grad(lambda p: jnp.sum(f(x, **{**jp, **p}))))(free)  # all parameters, one program
    for k, v in free.items():

        def loss(p, k=k):
            return jnp.sum(f(x, **{**jp, k: p}))

        got = np.asarray(grads[k])
        flat = np.asarray(v, np.float64).ravel()
        fd = np.zeros_like(flat)
        for j in range(flat.size):
            e = np.zeros_like(flat)
            e[j] = 1e-3 * max(1.0, abs(flat[j]))
            fd[j] = (
                float(loss(jnp.asarray((flat + e).reshape(v.shape), jnp.float32)))
                - float(loss(jnp.asarray((flat - e).reshape(v.shape), jnp.float32)))
            ) / (2 * e[j])
        np.testing.assert_allclose(got.ravel(), fd, rtol=3e-2, atol=3e-2, err_msg=f"d {name} / d {k}")


def test_edge_values():
    # Exact limits and special points, from the formulas.
    assert float(ja.snake(jnp.float32(3.0), 0.0)) == 3.0  # alpha -> 0 is the identity
    assert float(jax.grad(lambda a: ja.snake(jnp.float32(3.0), a))(0.0)) == pytest.approx(9.0)  # d/da = x^2 at 0
    assert float(ja.swish_beta(jnp.float32(-jnp.inf), 1.0)) == 0.0
    assert float(ja.acon_c(jnp.float32(-jnp.inf))) == 0.0
    np.testing.assert_allclose(
        ja.swish_beta(jnp.array([1.0, -2.0]), 1.702),
        np.array([1.0, -2.0]) / (1 + np.exp(-1.702 * np.array([1.0, -2.0]))),
        rtol=1e-6,
    )
    assert float(jax.grad(ja.prelu)(0.0, 0.1)) == 1.0
    assert float(jax.grad(lambda x: ja.srelu(x, -1.0, 0.1, 2.0, 0.5))(2.0)) == 0.5


# Inputs where a product or a power overflows float32 though the value does not (hand-picked from the fuzz).
BIG = np.array([1e6, 3e7, 2e8, 1e12, 1e20, 1e37, 3.4e38], np.float32)
LARGE_CASES = [
    ("rational", ROWS["rational"].params[0]),
    ("rational", ROWS["rational"].params[2]),
    ("snake", {"alpha": 2.0}),
    ("snake_beta", {"alpha": 0.5, "beta": 2.0}),
    ("acon_c", {"p2": 3.0}),
    ("acon_c", {"p1": -0.5, "p2": 0.8, "beta": 0.7}),
]


@pytest.mark.parametrize(("name", "params"), LARGE_CASES)
def test_large_inputs_are_finite_and_accurate(name, params):
    jp, fp = _args(params)
    x = np.concatenate([BIG, -BIG])
    ref = ROWS[name].f(x.astype(np.float64), **fp)
    with np.errstate(over="ignore"):
        fits = np.isfinite(ref.astype(np.float32))
    got = np.asarray(ja.get(name)(jnp.asarray(x), **jp), np.float64)
    assert np.all(np.isfinite(got[fits])), f"{name}{params}: {got[fits]}"
    np.testing.assert_allclose(got[fits], ref[fits], rtol=4 * EPS32, atol=0, err_msg=f"{name}{params}")
    assert np.all(np.isinf(got[~fits]) & (np.sign(got[~fits]) == np.sign(ref[~fits]))), got[~fits]
    if name in ("rational", "acon_c"):  # the derivatives tend to constants or powers: compare them too
        keep = fits & (np.abs(x) < 1e37)
        g = np.asarray(jax.jit(jax.vmap(jax.grad(lambda v: ja.get(name)(v, **jp))))(jnp.asarray(x[keep])), np.float64)
        dref = ROWS[name].df(x[keep].astype(np.float64), **fp)
        np.testing.assert_allclose(g, dref, rtol=8 * EPS32, atol=1e-30, err_msg=f"d {name}{params}")


def test_overflowed_products_follow_the_stated_convention():
    # snake: where alpha * x overflows, sin^2(alpha x) / alpha <= |x| / 3.4e38 is below an ULP of x: the value is x.
    x = jnp.array([3.4e38, -3.4e38, 2e38], jnp.float32)
    np.testing.assert_array_equal(np.asarray(ja.snake(x, 2.0)), np.asarray(x))
    assert float(ja.snake(jnp.float32(jnp.inf), 0.0)) == np.inf  # the identity at alpha = 0, also at inf
    np.testing.assert_array_equal(np.asarray(jax.vmap(jax.grad(lambda v: ja.snake(v, 2.0)))(x)), [1.0, 1.0, 1.0])
    # snake_beta: sin^2 of an overflowed argument is taken as its mean 1/2; the true value is in [x, x + 1/beta].
    got = float(ja.snake_beta(jnp.float32(3.0), alpha=1.7e38, beta=2.0))
    assert got == np.float32(3.0) + np.float32(0.25)
    assert float(jax.grad(lambda v: ja.snake_beta(v, alpha=1.7e38))(3.0)) == 1.0
    assert np.isnan(float(ja.snake(jnp.float32(jnp.nan), 2.0)))  # NaN in, NaN out
    # acon_c at the float32 limit: the value is p1 x (gate on), not inf - inf.
    assert float(ja.acon_c(jnp.float32(-3.4e38), p2=3.0)) == np.float32(-3.4e38)
    assert float(jax.grad(lambda v: ja.acon_c(v, p2=3.0))(jnp.float32(-3.4e38))) == 1.0
    # rational: ±inf gives the limit a_m / |b_n| x^(m - n); the parameter gradients stay finite at 1e38.
    num, den = jnp.array([0.0, 1.0, 1.0]), jnp.array([0.0, 1.0])
    np.testing.assert_array_equal(np.asarray(ja.rational(jnp.array([jnp.inf, -jnp.inf]), num, den)), [1.0, 1.0])
    gp = jax.grad(lambda a, b: ja.rational(jnp.float32(1e38), a, b), argnums=(0, 1))(num, den)
    assert all(np.all(np.isfinite(np.asarray(g))) for g in gp)


def test_rational_kink_at_zero_takes_derivative_zero():
    # d|B|/dB = 0 where B = 0 (x = 0): rational'(0) = a_1, whatever a_0 and b_1 are.
    num, den = jnp.array([0.02, 0.5, 0.3]), jnp.array([0.1, 0.4])
    assert float(jax.grad(lambda v: ja.rational(v, num, den))(0.0)) == np.float32(0.5)


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="t_left"):
        ja.srelu(jnp.ones(2), t_left=2.0, t_right=1.0)
    with pytest.raises(ValueError, match="alpha"):
        ja.pelu(jnp.ones(2), alpha=-1.0)
    with pytest.raises(ValueError, match="beta"):
        ja.snake_beta(jnp.ones(2), beta=0.0)
    with pytest.raises(ValueError, match="eps"):
        ja.xielu(jnp.ones(2), eps=0.5)
    with pytest.raises(ValueError, match="coefficient axis"):
        ja.rational(jnp.ones(2), jnp.float32(1.0), jnp.ones(2))
    with pytest.raises(ValueError, match="numerator"):
        ja.rational(jnp.ones(2), jnp.zeros((0,)), jnp.ones(2))


def test_rational_fit_approximates_its_target():
    num, den = ja.rational_fit("leaky_relu", (5, 4))
    xs = np.linspace(-3, 3, 301)
    got = np.asarray(
        ja.rational(jnp.asarray(xs, jnp.float32), jnp.asarray(num, jnp.float32), jnp.asarray(den, jnp.float32))
    )
    ref = np.where(xs >= 0, xs, ROWS["leaky_relu"].f(np.array([-1.0]))[0] * -xs)
    assert np.max(np.abs(got - ref)) < 0.05
    num, den = ja.rational_fit({"name": "gelu", "config": {}}, (5, 4))
    got = np.asarray(
        ja.rational(jnp.asarray(xs, jnp.float32), jnp.asarray(num, jnp.float32), jnp.asarray(den, jnp.float32))
    )
    assert np.max(np.abs(got - ROWS["gelu"].f(xs))) < 5e-3
    # No coefficients: the PAU initialisation (leaky_relu with slope 0.01).
    y = np.asarray(ja.rational(jnp.asarray(xs, jnp.float32)))
    assert np.max(np.abs(y - np.where(xs >= 0, xs, 0.01 * xs))) < 0.05


# --------------------------------------------------------------------------- #
# Parameter recovery: fit each layer to data from the same activation with other parameters.
# --------------------------------------------------------------------------- #


def _softplus(v):
    return np.log1p(np.exp(v))


# layer, true stored parameters, how to read the comparable values, input range, channels
RECOVERY = {
    "PReLU": (L.PReLU(), {"negative_slope": [0.1, -0.3, 0.6]}, None),
    "SwishBeta": (L.SwishBeta(), {"beta": 1.702}, None),
    "PELU": (L.PELU(), {"alpha": 1.5, "beta": 0.7}, None),
    "SReLU": (
        L.SReLU(),
        {
            "t_left": [-0.5, -1.0, 0.2],
            "a_left": [0.2, -0.1, 0.3],
            "t_delta": [1.5, 2.0, 0.6],
            "a_right": [0.5, 1.4, 0.8],
        },
        lambda p: {**p, "t_delta": np.abs(p["t_delta"])},
    ),
    "APL": (L.APL(hinges=1), {"a": [[0.3, -0.4, 0.5]], "b": [[-0.5, 0.4, -0.2]]}, None),
    "Snake": (L.Snake(), {"alpha": [0.7, 1.3, 1.6]}, None),
    "SnakeBeta": (
        L.SnakeBeta(log_scale=True),
        {"alpha": np.log([0.8, 1.4, 1.1]), "beta": np.log([1.2, 0.6, 0.9])},
        lambda p: {k: np.exp(v) for k, v in p.items()},
    ),
    "Rational": (L.Rational(degrees=(2, 1)), "perturb", None),
    "XIELU": (
        L.XIELU(),
        {"alpha_p": np.log(np.expm1(0.5)), "alpha_n": np.log(np.expm1(1.2 - 0.5))},
        lambda p: {"alpha_p": _softplus(p["alpha_p"]), "alpha_n": 0.5 + _softplus(p["alpha_n"])},
    ),
    "StarReLU": (L.StarReLU(), {"scale": 1.2, "bias": -0.2}, None),
    "AconC": (L.AconC(), {"p1": [1.2, 0.8, 1.0], "p2": [0.1, -0.2, 0.3], "beta": [1.5, 0.7, 1.2]}, None),
    "DyT": (L.DyT(), {"alpha": 0.8, "weight": [1.5, 0.5, 1.0], "bias": [0.1, -0.1, 0.2]}, None),
    "Dice": (L.Dice(use_running_average=False), {"alpha": [0.2, -0.1, 0.4]}, None),
    "Mix": (
        L.Mix(activations=("relu", "tanh", "silu")),
        {"logits": [0.5, -0.3, 0.0]},
        lambda p: {"w": np.exp(p["logits"]) / np.exp(p["logits"]).sum()},
    ),
}


def _fit(layer, params, x, y, steps=600):
    opt = optax.adam(optax.cosine_decay_schedule(0.05, steps, alpha=0.0))

    def loss(p):
        out = (
            layer.apply({"params": p}, x, mutable=["batch_stats"])[0]
            if layer.spec.stats
            else layer.apply({"params": p}, x)
        )
        return jnp.mean((out - y) ** 2)

    @jax.jit
    def run(p):
        def step(carry, _):
            p, s = carry
            g = jax.grad(loss)(p)
            u, s = opt.update(g, s, p)
            return (optax.apply_updates(p, u), s), None

        (p, _), _ = jax.lax.scan(step, (p, opt.init(p)), None, length=steps)
        return p, loss(p)

    return run(params)


@pytest.mark.parametrize("name", sorted(RECOVERY))
def test_training_recovers_known_parameters(name):
    layer, true, view = RECOVERY[name]
    # ACON-C's slopes p1, p2 are its asymptotes: a wider input range separates them from beta.
    span = 8.0 if name == "AconC" else 3.0
    x = jax.random.uniform(jax.random.key(0), (512, 3), minval=-span, maxval=span)
    variables = layer.init(jax.random.key(1), x)
    init = variables["params"]
    if isinstance(true, str):  # Rational: move the fitted initial coefficients
        true = {
            "numerator": np.asarray(init["numerator"]) + np.array([0.1, -0.15, 0.08]),
            "denominator": np.asarray(init["denominator"]) + np.array([0.2]),
        }
    true = {k: jnp.asarray(np.asarray(v), jnp.float32) for k, v in true.items()}
    true = {k: jnp.broadcast_to(v, init[k].shape) for k, v in true.items()}
    if layer.spec.stats:
        y, _ = layer.apply(
            {"params": true, **{k: v for k, v in variables.items() if k != "params"}}, x, mutable=["batch_stats"]
        )
    else:
        y = layer.apply({"params": true}, x)
    start = {k: np.asarray(v) for k, v in init.items()}
    assert any(np.max(np.abs(start[k] - np.asarray(true[k]))) > 0.05 for k in true), (
        "the fit must start away from the truth"
    )
    fitted, final = _fit(layer, init, x, y, steps=1500 if name == "AconC" else 600)
    view = view or (lambda p: p)
    got = view({k: np.asarray(v, np.float64) for k, v in fitted.items()})
    want = view({k: np.asarray(v, np.float64) for k, v in true.items()})
    for k in want:
        np.testing.assert_allclose(
            got[k], want[k], atol=1e-2, rtol=0, err_msg=f"{name}.{k} (final loss {float(final):.2e})"
        )
