"""Combinators: values from their definitions, serialization round trips, errors."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jax_activations as ja
from jax_activations.compose import compose, gated, mix, scaled

X = jnp.linspace(-3.0, 3.0, 13)
XN = np.asarray(X, np.float64)


def test_combinators_are_registered():
    assert set(ja.names(kind="combinator")) == {"compose", "scaled", "gated", "mix"}
    assert all(not ja.spec(n).builtin for n in ja.names(kind="combinator"))


def test_compose_applies_the_last_function_first():
    act = compose("relu", ja.get("leaky_relu", negative_slope=0.1))
    np.testing.assert_allclose(np.asarray(act(X)), np.maximum(np.where(XN >= 0, XN, 0.1 * XN), 0), atol=0)
    np.testing.assert_allclose(np.asarray(compose("tanh", "relu")(X)), np.tanh(np.maximum(XN, 0)), rtol=1e-6)


def test_serialize_round_trip():
    act = compose("relu", ja.get("leaky_relu", negative_slope=0.1))
    ser = ja.serialize(act)
    assert ser == {
        "name": "compose",
        "config": {"functions": ["relu", {"name": "leaky_relu", "config": {"negative_slope": 0.1}}]},
    }
    again = ja.deserialize(json.loads(json.dumps(ser)))
    assert again == act and hash(again) == hash(act)
    np.testing.assert_array_equal(np.asarray(again(X)), np.asarray(act(X)))
    nested = scaled(compose("tanh", gated("silu")), scale=2.0, shift=0.5)
    assert ja.deserialize(json.loads(json.dumps(ja.serialize(nested)))) == nested
    assert ja.get(ja.serialize(nested)) == nested


def test_scaled_values_and_dtypes():
    act = scaled("sigmoid", scale=2.0, shift=-1.0)
    np.testing.assert_allclose(np.asarray(act(X)), np.tanh(XN / 2), rtol=1e-6, atol=1e-7)
    act = scaled("tanh", 1.5, input_scale=0.5, input_shift=1.0)
    np.testing.assert_allclose(np.asarray(act(X)), 1.5 * np.tanh(0.5 * XN + 1.0), rtol=1e-6)
    for dt in (jnp.bfloat16, jnp.float16, jnp.float32):
        assert act(X.astype(dt)).dtype == dt
    with pytest.raises(ValueError, match="scale"):
        scaled("tanh", scale=float("inf"))


def test_gated_is_glu():
    x = jnp.array([[1.0, 2.0, 0.0, -1.0]])
    np.testing.assert_allclose(np.asarray(gated()(x)), [[0.5, 2.0 / (1 + np.e)]], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(gated("relu")(x)), [[0.0, 0.0]])
    np.testing.assert_allclose(np.asarray(gated("sigmoid", axis=0)(jnp.array([3.0, 0.0]))), [1.5])
    with pytest.raises(ValueError, match="even"):
        gated()(jnp.ones(3))
    with pytest.raises(ValueError, match="axis"):
        gated(axis=1.5)


def test_mix_weights():
    act = mix(["relu", "tanh"])
    np.testing.assert_allclose(np.asarray(act(X)), 0.5 * (np.maximum(XN, 0) + np.tanh(XN)), rtol=1e-6)
    logits = jnp.array([1.0, -1.0])
    w = np.exp([1.0, -1.0]) / np.exp([1.0, -1.0]).sum()
    np.testing.assert_allclose(np.asarray(act(X, logits)), w[0] * np.maximum(XN, 0) + w[1] * np.tanh(XN), rtol=1e-6)
    g = jax.grad(lambda lg: jnp.sum(act(X, lg)))(logits)
    assert np.all(np.isfinite(np.asarray(g)))
    assert act(X.astype(jnp.bfloat16), logits).dtype == jnp.bfloat16
    with pytest.raises(ValueError, match="logits"):
        act(X, jnp.zeros(3))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="rellu"):
        compose("relu", "rellu")
    with pytest.raises(ValueError, match="at least one"):
        compose()
    with pytest.raises(ValueError, match="register"):
        compose(lambda v: v)
    with pytest.raises(ValueError, match="unknown argument"):
        ja.deserialize({"name": "compose", "config": {"funcs": ["relu"]}})


def test_under_jit_vmap_grad_and_as_static_argument():
    act = compose("silu", scaled("tanh", 2.0))

    @jax.jit
    def f(x):
        return act(x)

    np.testing.assert_allclose(np.asarray(f(X)), np.asarray(act(X)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.vmap(act)(X)), np.asarray(act(X)), rtol=1e-6)
    g = jax.vmap(jax.grad(act))(X)
    t = np.tanh(XN)
    s = 1 / (1 + np.exp(-2 * t))
    want = (s + 2 * t * s * (1 - s)) * 2 * (1 - t**2)
    np.testing.assert_allclose(np.asarray(g), want, rtol=1e-5, atol=1e-6)
    run = jax.jit(lambda x, a: a(x), static_argnums=1)
    np.testing.assert_allclose(np.asarray(run(X, act)), np.asarray(act(X)), rtol=1e-6)
