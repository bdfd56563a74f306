"""Mathematical invariants on random inputs (hypothesis, deterministic profile).

Ranges, simplex constraints, monotonicity, oddness and idempotence follow from
each function's definition; the lists below are explicit, so adding an
activation means deciding which of them it satisfies.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

import jax_activations as ja

# Monotone non-decreasing over the reals at their defaults.
MONOTONE = [
    "relu", "leaky_relu", "elu", "selu", "celu", "softplus", "sigmoid", "tanh", "softsign", "log_sigmoid",
    "exponential", "relu6", "hard_sigmoid", "hard_tanh", "linear", "soft_shrink", "hard_shrink", "tanh_shrink",
    "sparse_plus", "sparse_sigmoid", "squareplus", "squared_relu", "thresholded_relu", "rrelu", "prelu",
]  # fmt: skip
# Not monotone: each has a minimum below zero (or dips) on the negative axis.
NOT_MONOTONE = ["gelu", "silu", "mish", "hard_silu"]
# Odd: f(-x) == -f(x).
ODD = ["tanh", "softsign", "tanh_shrink", "hard_tanh", "soft_shrink", "hard_shrink", "linear"]
# Idempotent: f(f(x)) == f(x).
IDEMPOTENT = ["relu", "relu6", "hard_tanh", "hard_shrink", "thresholded_relu", "linear"]
SIMPLEX = ["softmax", "softmin", "sparsemax", "entmax15"]

ROWS_2D = arrays(np.float32, (4, 7), elements=st.floats(-30, 30, width=32, allow_subnormal=False))
# XLA on CPU flushes subnormals to zero, differently per fusion: left out.
WIDE = arrays(np.float32, (64,), elements=st.floats(-1e4, 1e4, width=32, allow_subnormal=False))


def _need(name: str):
    if name not in ja.names():
        pytest.skip(f"{name} is not registered")
    return ja.get(name)


def test_every_elementwise_activation_is_classified():
    """A new elementwise activation must be put in MONOTONE or NOT_MONOTONE."""
    listed = set(MONOTONE) | set(NOT_MONOTONE)
    missing = [
        s.name
        for s in ja.specs()
        if s.builtin and s.kind == "elementwise" and s.name not in listed and s.name != "threshold"
    ]
    assert not missing, f"classify these as monotone or not: {missing}"


@given(x=WIDE)
def test_sigmoid_family_ranges(x):
    x = jnp.asarray(x)
    for name, lo, hi in [
        ("sigmoid", 0, 1), ("hard_sigmoid", 0, 1), ("sparse_sigmoid", 0, 1), ("tanh", -1, 1), ("softsign", -1, 1),
        ("hard_tanh", -1, 1), ("relu6", 0, 6),
    ]:  # fmt: skip
        y = np.asarray(_need(name)(x))
        assert np.all((y >= lo) & (y <= hi)), f"{name} leaves [{lo}, {hi}]: {y.min()}, {y.max()}"
    s = np.asarray(_need("sigmoid")(x), np.float64) + np.asarray(ja.sigmoid(-x), np.float64)
    np.testing.assert_allclose(s, 1.0, atol=1.2e-7)
    assert np.all(np.asarray(_need("log_sigmoid")(x)) <= 0)
    assert np.all(np.asarray(_need("softplus")(x)) >= np.asarray(ja.relu(x)))
    assert np.all(np.asarray(_need("relu")(x)) >= 0)


@given(x=ROWS_2D, axis=st.sampled_from([-1, 0]))
@pytest.mark.parametrize("name", SIMPLEX)
def test_simplex_outputs(name, x, axis):
    y = np.asarray(_need(name)(jnp.asarray(x), axis=axis), np.float64)
    assert np.all(y >= 0), f"{name}: negative probability {y.min()}"
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, atol=4e-6, err_msg=f"{name}: rows do not sum to 1")


@given(x=ROWS_2D)
def test_softmax_family_consistency(x):
    x = jnp.asarray(x)
    sm = np.asarray(_need("softmax")(x), np.float64)
    np.testing.assert_allclose(np.exp(np.asarray(_need("log_softmax")(x), np.float64)), sm, rtol=2e-6, atol=1e-9)
    np.testing.assert_allclose(np.asarray(_need("softmin")(x)), np.asarray(ja.softmax(-x)), rtol=2e-6, atol=1e-9)
    # argmax is kept and sparsemax is sparse where the gap exceeds 1
    for name in ("sparsemax", "entmax15"):
        y = np.asarray(_need(name)(x))
        xs = np.asarray(x)
        rows = np.arange(xs.shape[0])
        assert np.all(y[rows, xs.argmax(-1)] == y.max(-1)), f"{name} does not keep the argmax"
        gap = xs.max(-1, keepdims=True) - xs
        if name == "sparsemax":
            assert np.all(y[gap >= 1.0] == 0), "sparsemax gives mass to an entry more than 1 below the max"


@pytest.mark.parametrize("name", MONOTONE)
@given(x=WIDE)
def test_monotone(name, x):
    f = _need(name)
    xs = np.sort(np.asarray(x))
    y = np.asarray(f(jnp.asarray(xs)), np.float64)
    bad = np.flatnonzero(np.diff(y) < 0)
    assert bad.size == 0, (
        f"{name} decreases between x={xs[bad[0]]!r} and {xs[bad[0] + 1]!r}: {y[bad[0]]!r} > {y[bad[0] + 1]!r}"
    )


@pytest.mark.parametrize("name", NOT_MONOTONE)
def test_not_monotone_really_dips(name):
    """The NOT_MONOTONE list is right: each one decreases somewhere on the negative axis."""
    x = np.linspace(-6, 0, 6001, dtype=np.float32)
    y = np.asarray(_need(name)(jnp.asarray(x)), np.float64)
    assert np.any(np.diff(y) < 0), f"{name} looks monotone on [-6, 0]"


@pytest.mark.parametrize("name", ODD)
@given(x=WIDE)
def test_odd(name, x):
    f = _need(name)
    x = jnp.asarray(x)
    np.testing.assert_array_equal(np.asarray(f(-x)), -np.asarray(f(x)), err_msg=f"{name} is not odd")


@pytest.mark.parametrize("name", IDEMPOTENT)
@given(x=WIDE)
def test_idempotent(name, x):
    f = _need(name)
    y = f(jnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(f(y)), np.asarray(y), err_msg=f"{name}(f(x)) != f(x)")


@given(x=WIDE, slope=st.floats(0, 1))
def test_leaky_family_between_identity_and_relu(x, slope):
    """For 0 <= slope <= 1: min(x, 0) * 1 <= leaky_relu(x) - relu(x) <= 0 and prelu == leaky_relu."""
    x = jnp.asarray(x)
    y = np.asarray(_need("leaky_relu")(x, negative_slope=slope), np.float64)
    r = np.asarray(ja.relu(x), np.float64)
    tiny = float(np.finfo(np.float32).tiny)  # XLA on CPU may flush subnormal inputs or results to zero
    assert np.all(y <= r + tiny) and np.all(y >= np.minimum(np.asarray(x, np.float64), 0.0) + r - tiny)
    np.testing.assert_array_equal(np.asarray(_need("prelu")(x, negative_slope=slope)), y.astype(np.float32))
