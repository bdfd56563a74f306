"""silu / swish, gelu (exact and tanh forms) and mish: hand-computed values, defaults, errors, limits, memory."""

from __future__ import annotations

import contextlib
import io
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.ad_checkpoint import print_saved_residuals

import jax_activations as ja

# Hand-computed in float64 from the definitions (math module only).
GELU_1 = 0.5 * (1.0 + math.erf(1.0 / math.sqrt(2.0)))  # 0.8413447460685429
GELU_TANH_1 = 0.5 * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (1.0 + 0.044715)))  # 0.8411919906082768
SILU_1 = 1.0 / (1.0 + math.exp(-1.0))  # 0.7310585786300049
MISH_1 = math.tanh(math.log1p(math.e))  # 0.8650983882673103


def test_hand_computed_constants():
    assert GELU_1 == pytest.approx(0.8413447460685429, rel=1e-15)
    assert GELU_TANH_1 == pytest.approx(0.8411919906082768, rel=1e-15)
    assert SILU_1 == pytest.approx(0.7310585786300049, rel=1e-15)
    assert MISH_1 == pytest.approx(0.8650983882673103, rel=1e-15)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda x: ja.silu(x), SILU_1),
        (lambda x: ja.swish(x), SILU_1),
        (lambda x: ja.gelu(x), GELU_1),
        (lambda x: ja.gelu(x, approximate=True), GELU_TANH_1),
        (lambda x: ja.mish(x), MISH_1),
    ],
)
def test_values_at_one(fn, expected):
    assert float(fn(jnp.float32(1.0))) == pytest.approx(expected, rel=2e-7)


def test_silu_derivative_and_symmetry_by_hand():
    # silu'(x) = s(x)(1 + x s(-x)); at 1: s(1)(1 + s(-1))
    s1 = SILU_1
    assert float(jax.grad(ja.silu)(jnp.float32(1.0))) == pytest.approx(s1 * (1 + (1 - s1)), rel=2e-7)
    # silu(x) - silu(-x) = x
    x = jnp.linspace(-5.0, 5.0, 41)
    np.testing.assert_allclose(np.asarray(ja.silu(x) - ja.silu(-x)), np.asarray(x), rtol=1e-6, atol=1e-6)


def test_gelu_exact_derivative_by_hand():
    # gelu'(1) = Phi(1) + phi(1)
    expected = GELU_1 + math.exp(-0.5) / math.sqrt(2 * math.pi)
    assert float(jax.grad(ja.gelu)(jnp.float32(1.0))) == pytest.approx(expected, rel=2e-7)


def test_swish_is_silu():
    assert ja.swish is ja.silu
    assert ja.get("swish") is ja.silu
    assert ja.serialize(ja.swish) == "silu"


def test_gelu_default_is_exact_like_keras_and_torch():
    x = jnp.array([-2.0, -0.5, 0.5, 2.0], jnp.float32)
    np.testing.assert_array_equal(np.asarray(ja.gelu(x)), np.asarray(ja.gelu(x, approximate=False)))
    np.testing.assert_array_equal(np.asarray(ja.gelu(x)), np.asarray(ja.gelu(x, approximate="none")))
    np.testing.assert_array_equal(np.asarray(ja.gelu(x, approximate=True)), np.asarray(ja.gelu(x, approximate="tanh")))
    assert ja.spec("gelu").params["approximate"] is False
    # exact and tanh forms differ (by up to ~4.7e-4)
    assert float(jnp.max(jnp.abs(ja.gelu(x) - ja.gelu(x, approximate=True)))) > 1e-5


def test_gelu_configured_roundtrip():
    act = ja.get("gelu", approximate=True)
    assert ja.deserialize(ja.serialize(act)) == act
    assert float(act(jnp.float32(1.0))) == pytest.approx(GELU_TANH_1, rel=2e-7)


@pytest.mark.parametrize("bad", ["exact", "TANH", 2, 0.5, None, "true"])
def test_gelu_rejects_bad_approximate(bad):
    with pytest.raises(ValueError, match="approximate"):
        ja.gelu(jnp.ones(3), approximate=bad)
    with pytest.raises(ValueError, match="approximate"):
        ja.get("gelu", approximate=bad)


@pytest.mark.parametrize(
    "fn",
    [ja.silu, ja.mish, ja.gelu, lambda x: ja.gelu(x, approximate=True)],
    ids=["silu", "mish", "gelu", "gelu_tanh"],
)
def test_limits_are_finite(fn):
    x = jnp.array([-np.inf, np.inf, -3.4e38, 3.4e38], jnp.float32)
    y = np.asarray(fn(x))
    assert y[0] == 0.0 and y[1] == np.inf and y[2] == 0.0 and y[3] == np.float32(3.4e38)
    g = np.asarray(jax.vmap(jax.grad(fn))(x))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0, 1.0])
    g2 = np.asarray(jax.vmap(jax.grad(jax.grad(fn)))(x))
    np.testing.assert_array_equal(g2, [0.0, 0.0, 0.0, 0.0])


def test_tail_where_exp_underflows():
    # x * e^x is a normal float32 number at x = -90 although e^-90 is not (flushed on CPU)
    x = np.float32(-90.0)
    expected = float(x) * math.exp(float(x)) / (1 + math.exp(float(x)))
    assert float(ja.silu(jnp.float32(x))) == pytest.approx(expected, rel=1e-6)
    assert float(jax.grad(ja.silu)(jnp.float32(x))) == pytest.approx(math.exp(-90.0) * (1 - 90.0), rel=1e-6)
    # gelu(-13) = -13 Phi(-13) ~ -8e-38: Phi(-13) alone is below the float32 normal range
    phi13 = 0.5 * math.erfc(13.0 / math.sqrt(2.0))
    assert float(ja.gelu(jnp.float32(-13.0))) == pytest.approx(-13.0 * phi13, rel=1e-6)
    # tanh form at x = -6: 1 + tanh(u) cancels to 0 in float32, x * s(2u) does not
    u = math.sqrt(2 / math.pi) * (-6.0 + 0.044715 * -216.0)
    assert float(ja.gelu(jnp.float32(-6.0), approximate=True)) == pytest.approx(-6.0 / (1 + math.exp(-2 * u)), rel=1e-6)


def test_tanh_gelu_gradient_finite_for_huge_inputs():
    x = jnp.array([-1e20, -1e7, 1e7, 1e20, 3e38], jnp.float32)
    g = np.asarray(jax.vmap(jax.grad(lambda v: ja.gelu(v, approximate=True)))(x))
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "fn",
    [ja.silu, ja.mish, ja.gelu, lambda x: ja.gelu(x, approximate=True)],
    ids=["silu", "mish", "gelu", "gelu_tanh"],
)
def test_reverse_mode_saves_only_x(fn):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_saved_residuals(lambda x: fn(x).sum(), jnp.ones(1024, jnp.float32))
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("f32[1024] from the argument")


def test_check_grads_orders_1_and_2():
    from jax.test_util import check_grads

    x = jnp.linspace(-2.7, 2.9, 9)
    for fn in (ja.silu, ja.mish, ja.gelu, lambda v: ja.gelu(v, approximate=True)):
        check_grads(fn, (x,), order=2, modes=("fwd", "rev"), atol=2e-2, rtol=2e-2)


def _dense(x0: float, step: float, n: int = 20001) -> np.ndarray:
    return (np.float32(x0) + np.arange(-(n // 2), n // 2 + 1, dtype=np.float32) * np.float32(step)).astype(np.float32)


# Every float32 input near the zeros of the first derivatives (where s(1 + x s(-x)) and its kin cancel)
# and across the exp-shift tails (silu below x = -80, tanh form where v(x) < -40 / -80, gelu past |x| = 13).
_DENSE = {
    "silu": np.concatenate([_dense(-1.2784645, 1.2e-7), np.linspace(-130.0, -30.0, 200001, dtype=np.float32)]),
    "gelu": np.concatenate(
        [
            _dense(-0.7517915, 6e-8),
            np.linspace(-14.5, -12.0, 200001, dtype=np.float32),
            np.linspace(-1.5, 6.0, 200001, dtype=np.float32),
        ]
    ),
    "gelu_tanh": np.concatenate([_dense(-0.7524614, 6e-8), np.linspace(-13.5, -4.0, 200001, dtype=np.float32)]),
}


@pytest.mark.parametrize("name", sorted(_DENSE))
def test_dense_ulp_near_roots_and_tails(name):
    from jax_activations.reference import _selfgated as ref
    from jax_activations.reference.ulp import hull, ulp_error

    fn = {"silu": ja.silu, "gelu": ja.gelu, "gelu_tanh": lambda v: ja.gelu(v, approximate=True)}[name]
    f, df = {
        "silu": (ref._silu, ref._dsilu),
        "gelu": (ref._gelu, ref._dgelu),
        "gelu_tanh": (ref._gelu_tanh, ref._dgelu_tanh),
    }[name]
    x = _DENSE[name]
    for got, r, bar in ((fn(jnp.asarray(x)), f, 4.0), (jax.vmap(jax.grad(fn))(jnp.asarray(x)), df, 8.0)):
        err = ulp_error(np.asarray(got, np.float64), *hull(r, x))
        assert float(np.max(err)) <= bar, (name, bar, float(x[int(np.argmax(err))]), float(np.max(err)))


@pytest.mark.parametrize(
    "fn",
    [ja.silu, ja.gelu, lambda x: ja.gelu(x, approximate=True)],
    ids=["silu", "gelu", "gelu_tanh"],
)
@pytest.mark.parametrize("mode", ["fwd", "grad"])
def test_one_exp_one_divide(fn, mode):
    # cost guard (no timing): the optimized program keeps jax.nn's transcendental budget in both passes
    import re

    g = fn if mode == "fwd" else jax.grad(lambda v: fn(v).sum())
    text = jax.jit(g).lower(jnp.ones(1024, jnp.float32)).compile().as_text()
    counts = {op: len(re.findall(rf"\b{op}\(", text)) for op in ("exponential", "divide", "log", "tanh", "erf")}
    assert counts == {"exponential": 1, "divide": 1, "log": 0, "tanh": 0, "erf": 0}, counts
