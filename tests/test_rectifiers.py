"""Focused tests of the rectifier family: Keras 3 relu semantics, hand-computed values,
gradient conventions, validation messages and the randomized leaky relu.

Expected numbers are computed by hand from each definition (Keras 3's algorithm for
relu), never from this library or from jax.nn.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import pytest

import jax_activations as ja
from jax_activations.reference.ulp import hull, ulp_error

X = [-10.0, -5.0, 0.0, 5.0, 10.0]

# --------------------------------------------------------------------------- #
# relu: every combination of (negative_slope, max_value, threshold), Keras 3's algorithm:
#   x > t keeps x (else 0); clip to [0, max_value] if given; subtract negative_slope * relu(t - x).
# --------------------------------------------------------------------------- #
RELU_CASES = [
    # (negative_slope, max_value, threshold) -> relu(X)
    ((0.0, None, 0.0), [0, 0, 0, 5, 10]),
    ((0.5, None, 0.0), [-5, -2.5, 0, 5, 10]),  # FACTS: slope only -> leaky relu
    ((0.0, 5.0, 0.0), [0, 0, 0, 5, 5]),  # FACTS
    ((0.0, None, 5.0), [0, 0, 0, 0, 10]),  # FACTS
    ((0.5, 5.0, 0.0), [-5, -2.5, 0, 5, 5]),
    ((0.5, None, 5.0), [-7.5, -5, -2.5, 0, 10]),
    ((0.0, 5.0, 5.0), [0, 0, 0, 0, 5]),
    ((0.5, 5.0, 5.0), [-7.5, -5, -2.5, 0, 5]),  # FACTS
    ((0.0, 6.0, 0.0), [0, 0, 0, 5, 6]),  # Keras' relu6 path
    ((0.0, 0.0, 0.0), [0, 0, 0, 0, 0]),
    # negative thresholds: x*(x > t) keeps negatives in (t, 0]; the clip (only with max_value) zeroes them
    ((0.0, None, -7.0), [0, -5, 0, 5, 10]),
    ((0.0, 5.0, -7.0), [0, 0, 0, 5, 5]),
    ((0.5, None, -7.0), [-1.5, -5, 0, 5, 10]),
    ((0.5, 5.0, -7.0), [-1.5, 0, 0, 5, 5]),
    # threshold above max_value: the kept values are clipped to max_value
    ((0.25, 2.0, 5.0), [-3.75, -2.5, -1.25, 0, 2]),
]

# d relu / dx at X, with the stated conventions: x = threshold belongs to the lower branch
# (slope negative_slope), except the slope-only case (leaky relu: 1 at 0); 0 at max_value.
RELU_GRADS = [
    ((0.0, None, 0.0), [0, 0, 0, 1, 1]),
    ((0.5, None, 0.0), [0.5, 0.5, 1, 1, 1]),
    ((0.0, 5.0, 0.0), [0, 0, 0, 0, 0]),
    ((0.0, None, 5.0), [0, 0, 0, 0, 1]),
    ((0.5, 5.0, 0.0), [0.5, 0.5, 0.5, 0, 0]),
    ((0.5, None, 5.0), [0.5, 0.5, 0.5, 0.5, 1]),
    ((0.5, 5.0, 5.0), [0.5, 0.5, 0.5, 0.5, 0]),
    ((0.0, None, -7.0), [0, 1, 1, 1, 1]),
    ((0.5, 5.0, -7.0), [0.5, 0, 0, 0, 0]),
]


@pytest.mark.parametrize(("cfg", "expected"), RELU_CASES)
def test_relu_keras3_semantics(cfg, expected):
    ns, mv, t = cfg
    x = jnp.asarray(X, jnp.float32)
    np.testing.assert_array_equal(np.asarray(ja.relu(x, negative_slope=ns, max_value=mv, threshold=t)), expected)
    # positional order is Keras': (negative_slope, max_value, threshold)
    np.testing.assert_array_equal(np.asarray(ja.relu(x, ns, mv, t)), expected)
    # tf.keras spelling: alpha= for the slope
    np.testing.assert_array_equal(np.asarray(ja.relu(x, alpha=ns, max_value=mv, threshold=t)), expected)
    # through get / serialize / deserialize
    act = ja.get("relu", alpha=ns, max_value=mv, threshold=t)
    np.testing.assert_array_equal(np.asarray(act(x)), expected)
    np.testing.assert_array_equal(np.asarray(ja.deserialize(ja.serialize(act))(x)), expected)
    # traced hyperparameters give the same numbers
    if mv is not None:
        got = jax.jit(lambda v, a, m, th: ja.relu(v, a, m, th))(x, ns, mv, t)
    else:
        got = jax.jit(lambda v, a, th: ja.relu(v, negative_slope=a, threshold=th))(x, ns, t)
    np.testing.assert_array_equal(np.asarray(got), expected)


@pytest.mark.parametrize(("cfg", "expected"), RELU_GRADS)
def test_relu_gradient_conventions(cfg, expected):
    ns, mv, t = cfg
    f = lambda v: ja.relu(v, negative_slope=ns, max_value=mv, threshold=t)
    got = jax.vmap(jax.grad(f))(jnp.asarray(X, jnp.float32))
    np.testing.assert_array_equal(np.asarray(got), expected)
    fwd = jnp.diag(jax.jacfwd(f)(jnp.asarray(X, jnp.float32)))
    np.testing.assert_array_equal(np.asarray(fwd), expected)


def test_relu_slope_only_equals_leaky_relu_including_gradient():
    x = jnp.asarray([-3.0, -0.0, 0.0, 2.0], jnp.float32)
    np.testing.assert_array_equal(np.asarray(ja.relu(x, 0.3)), np.asarray(ja.leaky_relu(x, 0.3)))
    g_relu = jax.vmap(jax.grad(lambda v: ja.relu(v, 0.3)))(x)
    g_leaky = jax.vmap(jax.grad(lambda v: ja.leaky_relu(v, 0.3)))(x)
    expected = np.asarray([0.3, 1.0, 1.0, 1.0], np.float32)
    np.testing.assert_array_equal(np.asarray(g_relu), expected)
    np.testing.assert_array_equal(np.asarray(g_leaky), expected)


def test_relu_alias_and_name_given_twice():
    with pytest.raises(TypeError, match="negative_slope"):
        ja.relu(jnp.ones(2), 0.1, alpha=0.2)
    with pytest.raises(TypeError, match="negative_slope"):
        ja.relu(jnp.ones(2), negative_slope=0.1, alpha=0.2)
    assert ja.get("relu", alpha=0.25).config == {"negative_slope": 0.25}


def test_relu_hyperparameter_gradients():
    # d/da sum relu = sum over x <= t of (x - t); d/dt = -a * #(x < t); d/dm = #(x >= m and x > t)
    x = jnp.asarray(X, jnp.float32)
    loss = lambda a, m, t: jnp.sum(ja.relu(x, a, m, t))
    da, dm, dt = jax.grad(loss, argnums=(0, 1, 2))(0.5, 5.0, 2.0)
    assert float(da) == (-12.0) + (-7.0) + (-2.0)
    assert float(dm) == 2.0
    assert float(dt) == -0.5 * 3


def test_relu_inf_inputs_give_limits_not_nan():
    x = jnp.asarray([-np.inf, np.inf], jnp.float32)
    for cfg, expected in [
        ({}, [0.0, np.inf]),
        ({"threshold": 5.0}, [0.0, np.inf]),  # Keras: -inf * 0 = NaN
        ({"negative_slope": 0.0, "max_value": 5.0, "threshold": 1.0}, [0.0, 5.0]),
        ({"negative_slope": 0.5, "threshold": 1.0}, [-np.inf, np.inf]),
        ({"negative_slope": jnp.float32(0.0)}, [0.0, np.inf]),  # a zero slope given as an array
    ]:
        np.testing.assert_array_equal(np.asarray(ja.relu(x, **cfg)), expected, err_msg=str(cfg))
    # d/dslope is finite at +inf (the lower branch never sees it)
    g = jax.grad(lambda a: jnp.sum(ja.relu(jnp.asarray([np.inf, -2.0]), a)))(0.5)
    assert float(g) == -2.0


# --------------------------------------------------------------------------- #
# hand-computed values and gradients for every function
# --------------------------------------------------------------------------- #
VALUES = [
    # (name, params, x, expected f(x), expected f'(x))
    ("leaky_relu", {}, [-5.0, -0.0, 0.0, 2.0], [-1.0, 0.0, 0.0, 2.0], [0.2, 1.0, 1.0, 1.0]),
    ("leaky_relu", {"negative_slope": 0.5}, [-4.0, 3.0], [-2.0, 3.0], [0.5, 1.0]),
    ("relu6", {}, [-1.0, 0.0, 2.5, 6.0, 7.0], [0.0, 0.0, 2.5, 6.0, 6.0], [0.0, 0.0, 1.0, 0.0, 0.0]),
    ("hard_sigmoid", {}, [-4.0, -3.0, 0.0, 1.5, 3.0, 9.0], [0, 0, 0.5, 0.75, 1, 1], [0, 0, 1 / 6, 1 / 6, 0, 0]),
    ("hard_silu", {}, [-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 5.0], [0, 0, -0.375, 0, 1.125, 3, 5], [0, 0, 0, 0.5, 1, 1, 1]),
    ("hard_swish", {}, [1.5], [1.125], [1.0]),
    ("sparse_sigmoid", {}, [-2.0, -1.0, -0.5, 0.0, 1.0, 3.0], [0, 0, 0.25, 0.5, 1, 1], [0, 0, 0.5, 0.5, 0, 0]),
    ("linear", {}, [-2.5, 0.0, 7.0], [-2.5, 0.0, 7.0], [1.0, 1.0, 1.0]),
    ("identity", {}, [3.0], [3.0], [1.0]),
    ("squared_relu", {}, [-3.0, 0.0, 0.5, 3.0], [0.0, 0.0, 0.25, 9.0], [0.0, 0.0, 1.0, 6.0]),
    ("thresholded_relu", {}, [0.5, 1.0, 1.5], [0.0, 0.0, 1.5], [0.0, 0.0, 1.0]),
    ("thresholded_relu", {"theta": 0.0}, [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    ("hard_tanh", {}, [-2.0, -1.0, 0.5, 1.0, 2.0], [-1.0, -1.0, 0.5, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0, 0.0]),
    ("hard_tanh", {"min_val": 0.0, "max_val": 6.0}, [-1.0, 0.0, 3.0, 6.0, 8.0], [0, 0, 3, 6, 6], [0, 1, 1, 1, 0]),
    ("hard_shrink", {}, [-1.0, -0.5, 0.25, 0.5, 0.75], [-1.0, 0.0, 0.0, 0.0, 0.75], [1, 0, 0, 0, 1]),
    ("hard_shrink", {"threshold": 0.0}, [-1.0, 0.0, 2.0], [-1.0, 0.0, 2.0], [1.0, 0.0, 1.0]),
    ("soft_shrink", {}, [-2.0, -0.5, 0.25, 0.5, 1.5], [-1.5, 0.0, 0.0, 0.0, 1.0], [1, 0, 0, 0, 1]),
    ("soft_shrink", {"threshold": 2.0}, [-3.0, 1.0, 5.0], [-1.0, 0.0, 3.0], [1.0, 0.0, 1.0]),
    ("threshold", {}, [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    ("threshold", {"threshold": 1.0, "default_value": -5.0}, [-1.0, 1.0, 2.0], [-5.0, -5.0, 2.0], [0.0, 0.0, 1.0]),
    ("rrelu", {}, [-4.8, 0.0, 2.0], [-4.8 * 11 / 48, 0.0, 2.0], [11 / 48, 1.0, 1.0]),
    ("rrelu", {"lower": 0.25, "upper": 0.75}, [-2.0, 3.0], [-1.0, 3.0], [0.5, 1.0]),
]


@pytest.mark.parametrize(("name", "params", "x", "expected", "slope"), VALUES)
def test_hand_computed_values_and_gradients(name, params, x, expected, slope):
    f = ja.get(name)
    xs = jnp.asarray(x, jnp.float32)
    np.testing.assert_allclose(np.asarray(f(xs, **params)), expected, rtol=1e-7, atol=0)
    g = jax.vmap(jax.grad(lambda v: f(v, **params)))(xs)
    np.testing.assert_allclose(np.asarray(g), slope, rtol=1e-7, atol=0)


@pytest.mark.parametrize(
    "name",
    [
        "relu",
        "leaky_relu",
        "relu6",
        "hard_sigmoid",
        "hard_silu",
        "sparse_sigmoid",
        "hard_tanh",
        "linear",
        "squared_relu",
        "thresholded_relu",
        "threshold",
        "hard_shrink",
        "soft_shrink",
        "rrelu",
    ],
)
def test_nan_propagates_for_every_parameter_set(name):
    from jax_activations.reference import ROWS

    for params in ROWS[name].params:
        got = np.asarray(ja.get(name)(jnp.asarray([np.nan, -np.nan], jnp.float32), **params))
        assert np.isnan(got).all(), f"{name}{params}: {got}"


def test_hard_silu_gradient_accurate_near_its_zero():
    # hard_silu'(x) = (2x + 3)/6 vanishes at -1.5; autodiff's (x+3)/6 + x/6 loses all digits there
    x = np.float32(-1.5) + np.arange(-64, 65, dtype=np.float32) * np.float32(2**-23)
    x = x.astype(np.float32)
    got = np.asarray(jax.vmap(jax.grad(ja.hard_silu))(jnp.asarray(x)))
    lo, hi = hull(lambda v: (2.0 * v + 3.0) / 6.0, x)
    assert ulp_error(got, lo, hi).max() <= 1.0


def test_hard_sigmoid_value_accurate_near_minus_three():
    # (x + 3) / 6 is exact-then-rounded near -3; x/6 + 0.5 would cancel (errors of ~1e6 ULP there)
    x = (np.float32(-3.0) + np.arange(1, 200, dtype=np.float32) * np.float32(2**-22)).astype(np.float32)
    got = np.asarray(ja.hard_sigmoid(jnp.asarray(x)))
    ref = (x.astype(np.float64) + 3.0) / 6.0
    assert ulp_error(got, ref, ref).max() <= 1.0


def test_leaky_relu_default_slope_is_keras_0_2():
    assert ja.spec("leaky_relu").params["negative_slope"] == 0.2
    assert float(ja.leaky_relu(jnp.float32(-1.0))) == pytest.approx(-0.2, rel=1e-7)


def test_threshold_mirrors_keras_positional_signature():
    # keras.activations.threshold(x, threshold, default_value)
    got = ja.threshold(jnp.asarray([-1.0, 0.0, 1.0, 2.0]), 1, 0)
    np.testing.assert_array_equal(np.asarray(got), [0.0, 0.0, 0.0, 2.0])


# --------------------------------------------------------------------------- #
# validation: ValueError naming the argument
# --------------------------------------------------------------------------- #
BAD = [
    ("relu", {"max_value": -1.0}, "max_value"),
    ("relu", {"max_value": np.inf}, "max_value"),
    ("relu", {"negative_slope": np.nan}, "negative_slope"),
    ("relu", {"alpha": np.inf}, "negative_slope"),
    ("relu", {"threshold": np.inf}, "threshold"),
    ("leaky_relu", {"negative_slope": np.nan}, "negative_slope"),
    ("thresholded_relu", {"theta": -1.0}, "theta"),
    ("thresholded_relu", {"theta": np.nan}, "theta"),
    ("hard_tanh", {"min_val": 1.0, "max_val": -1.0}, "min_val"),
    ("hard_tanh", {"min_val": 2.0}, "min_val"),
    ("hard_tanh", {"max_val": np.nan}, "max_val"),
    ("hard_shrink", {"threshold": -0.1}, "threshold"),
    ("soft_shrink", {"threshold": -0.1}, "threshold"),
    ("soft_shrink", {"threshold": np.inf}, "threshold"),
    ("threshold", {"threshold": np.nan}, "threshold"),
    ("threshold", {"default_value": np.inf}, "default_value"),
    ("rrelu", {"lower": 0.4, "upper": 0.2}, "lower"),
    ("rrelu", {"lower": -0.1}, "lower"),
    ("rrelu", {"upper": np.inf}, "upper"),
    ("rrelu", {"deterministic": False}, "key"),
]


@pytest.mark.parametrize(("name", "params", "arg"), BAD)
def test_bad_hyperparameters_raise_value_error_naming_the_argument(name, params, arg):
    with pytest.raises(ValueError, match=arg):
        ja.get(name)(jnp.ones(3), **params)


@pytest.mark.parametrize(("name", "params", "arg"), [b for b in BAD if "deterministic" not in b[1]])
def test_bad_hyperparameters_rejected_in_configs_too(name, params, arg):
    with pytest.raises(ValueError, match=arg):
        ja.get(name, **params)


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match="negative_slope"):
        ja.relu(jnp.ones(2), negative_slope="0.1")
    with pytest.raises(TypeError, match="unknown argument"):
        ja.relu(jnp.ones(2), slope=0.1)
    with pytest.raises(TypeError, match="deterministic"):
        ja.rrelu(jnp.ones(2), jax.random.key(0), deterministic="no")


def test_traced_bad_values_are_not_checked_but_never_crash():
    # a traced max_value cannot be checked now; the program still runs
    got = jax.jit(lambda m: ja.relu(jnp.asarray([1.0, 3.0]), max_value=m))(2.0)
    np.testing.assert_array_equal(np.asarray(got), [1.0, 2.0])


# --------------------------------------------------------------------------- #
# rrelu
# --------------------------------------------------------------------------- #


def _neg_input(n=4096):
    return -jnp.linspace(0.5, 4.0, n, dtype=jnp.float32)


def test_rrelu_deterministic_is_the_mean_slope():
    x = jnp.asarray([-4.0, -1.0, 0.0, 2.0], jnp.float32)
    expected = [-4.0 * 11 / 48, -11 / 48, 0.0, 2.0]
    np.testing.assert_allclose(np.asarray(ja.rrelu(x)), expected, rtol=1e-7)
    # a key is ignored when deterministic
    np.testing.assert_array_equal(np.asarray(ja.rrelu(x, jax.random.key(3))), np.asarray(ja.rrelu(x)))
    np.testing.assert_allclose(np.asarray(ja.rrelu(x, lower=0.1, upper=0.3)), [-0.8, -0.2, 0.0, 2.0], rtol=1e-6)


def test_rrelu_same_key_same_output_different_keys_differ():
    x = _neg_input()
    a = ja.rrelu(x, jax.random.key(0), deterministic=False)
    b = ja.rrelu(x, jax.random.key(0), deterministic=False)
    c = ja.rrelu(x, jax.random.key(1), deterministic=False)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert np.mean(np.asarray(a) != np.asarray(c)) > 0.99
    # legacy uint32 keys work too
    d = ja.rrelu(x, jax.random.PRNGKey(0), deterministic=False)
    assert d.shape == x.shape


@pytest.mark.parametrize(("lower", "upper"), [(1 / 8, 1 / 3), (0.2, 0.2), (0.0, 1.0)])
def test_rrelu_random_slopes_in_range_and_positive_side_untouched(lower, upper):
    x = jnp.concatenate([_neg_input(), jnp.linspace(0.0, 3.0, 64)])
    y = np.asarray(ja.rrelu(x, jax.random.key(7), lower=lower, upper=upper, deterministic=False))
    xn = np.asarray(x)
    neg = xn < 0
    slopes = y[neg] / xn[neg]
    tol = 1e-6
    assert slopes.min() >= lower - tol and slopes.max() <= upper + tol
    if upper > lower:  # a real spread of slopes, centred on the mean
        assert slopes.std() > 0.2 * (upper - lower) / np.sqrt(12)
        assert abs(slopes.mean() - (lower + upper) / 2) < 0.05 * (upper - lower)
    np.testing.assert_array_equal(y[~neg], xn[~neg])


def test_rrelu_random_under_jit_grad_and_half_precision():
    x = _neg_input(256)
    key = jax.random.key(5)
    f = jax.jit(lambda v, k: ja.rrelu(v, k, deterministic=False))
    y = f(x, key)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(ja.rrelu(x, key, deterministic=False)))
    g = jax.grad(lambda v: jnp.sum(ja.rrelu(v, key, deterministic=False)))(x)
    np.testing.assert_allclose(np.asarray(g), np.asarray(y) / np.asarray(x), rtol=1e-6)
    yb = ja.rrelu(x.astype(jnp.bfloat16), key, deterministic=False)
    assert yb.dtype == jnp.bfloat16
    assert ja.spec("rrelu").kind == "random"


# --------------------------------------------------------------------------- #
# memory: the backward pass saves one byte per element (the piece), x only for hard_silu
# --------------------------------------------------------------------------- #


def _residual_bytes(f, x):
    _, vjp = jax.vjp(f, x)
    return sum(leaf.nbytes for leaf in jax.tree_util.tree_leaves(vjp) if hasattr(leaf, "nbytes"))


@pytest.mark.parametrize(
    ("ours", "limit"),
    [
        (lambda v: ja.relu(v), 1),
        (lambda v: ja.relu(v, 0.1, 5.0, 1.0), 1),
        (lambda v: ja.leaky_relu(v), 1),
        (lambda v: ja.relu6(v), 1),
        (lambda v: ja.hard_sigmoid(v), 1),
        (lambda v: ja.sparse_sigmoid(v), 1),
        (lambda v: ja.hard_tanh(v), 1),
        (lambda v: ja.hard_shrink(v), 1),
        (lambda v: ja.soft_shrink(v), 1),
        (lambda v: ja.thresholded_relu(v), 1),
        (lambda v: ja.threshold(v, 0.5, -1.0), 1),
        (lambda v: ja.hard_silu(v), 4),
    ],
)
def test_backward_pass_saves_at_most_bytes_per_element(ours, limit):
    # jax.nn saves 5 (relu, relu6, hard_sigmoid), 8 (sparse_sigmoid), 10 (hard_tanh), 13 (hard_silu) bytes per element
    x = jnp.linspace(-8.0, 8.0, 1024, dtype=jnp.float32)
    assert _residual_bytes(ours, x) <= limit * x.size + 64
