"""Flax layers: linen and NNX from one table, Keras semantics, shapes, state, configs, dtypes."""

from __future__ import annotations

import itertools
import json

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import jax_activations as ja
import jax_activations.linen as L
import jax_activations.nnx as N
from jax_activations import _layers

SPECS = _layers.SPECS
NAMES = [s.name for s in SPECS]


def _input(name, shape=(4, 6), dtype=jnp.float32):
    return jax.random.normal(jax.random.key(7), shape, dtype) * 2.0


def _kwargs(spec):
    if spec.name == "RReLU":
        return {"deterministic": True}
    if spec.name == "Dice":
        return {"use_running_average": False}
    return {}


def _pair(spec, channels=6):
    kw = _kwargs(spec)
    lin = getattr(L, spec.name)(**kw)
    nkw = dict(kw, in_features=channels) if spec.needs_shape else kw
    return lin, getattr(N, spec.name)(**nkw)


def _random_params(lin, x):
    variables = lin.init(jax.random.key(0), x)
    params = variables.get("params", {})
    keys = jax.random.split(jax.random.key(3), max(len(params), 1))
    # Move every parameter away from its initial value (keeping signs where they matter).
    out = {}
    for k, (name, v) in zip(keys, sorted(params.items()), strict=False):
        out[name] = v + 0.1 * jax.random.uniform(k, v.shape, v.dtype)
    return {**variables, "params": out} if params else variables


def _nnx_set(model, variables):
    for name, v in variables.get("params", {}).items():
        getattr(model, name)[...] = v
    for name, v in variables.get("batch_stats", {}).items():
        getattr(model, name)[...] = v


# --------------------------------------------------------------------------- #
# linen == nnx
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", NAMES)
def test_linen_and_nnx_agree_on_outputs_and_gradients(name):
    spec = _layers.BY_NAME[name]
    x = _input(name)
    lin, mod = _pair(spec)
    variables = _random_params(lin, x)
    _nnx_set(mod, variables)
    y_l, upd = lin.apply(variables, x, mutable=["batch_stats"])
    y_n = mod(x)
    np.testing.assert_array_equal(np.asarray(y_l), np.asarray(y_n))
    for k, v in upd.get("batch_stats", {}).items():
        np.testing.assert_array_equal(np.asarray(v), np.asarray(getattr(mod, k)[...]))

    def loss_l(p, x):
        out = lin.apply({**variables, "params": p}, x, mutable=["batch_stats"])[0]
        return jnp.sum(jnp.sin(out))

    # Gradients compiled (one program each) rather than run op by op: the same numbers, a fraction of the time.
    gl_p, gl_x = jax.jit(jax.grad(loss_l, argnums=(0, 1)))(variables.get("params", {}), x)
    _nnx_set(mod, variables)
    gn_p, gn_x = nnx.jit(nnx.grad(lambda m, v: jnp.sum(jnp.sin(m(v))), argnums=(0, 1)))(mod, x)
    np.testing.assert_allclose(np.asarray(gl_x), np.asarray(gn_x), rtol=1e-6, atol=1e-6)
    for k in gl_p:
        np.testing.assert_allclose(np.asarray(gl_p[k]), np.asarray(gn_p[k][...]), rtol=1e-6, atol=1e-6, err_msg=k)


# --------------------------------------------------------------------------- #
# PReLU shapes (Keras' rule)
# --------------------------------------------------------------------------- #


def _keras_rule(input_shape, shared_axes):
    # Keras: param_shape = input_shape[1:], with param_shape[axis - 1] = 1 for each shared axis.
    shape = list(input_shape[1:])
    for a in shared_axes or ():
        shape[a - 1] = 1
    return tuple(shape)


SHARED_CASES = [c for r in range(4) for c in itertools.combinations((1, 2, 3), r)]


@pytest.mark.parametrize("shared", SHARED_CASES)
def test_prelu_shared_axes_follow_keras(shared):
    x = jnp.ones((2, 4, 5, 3))
    lin = L.PReLU(shared_axes=shared) if shared else L.PReLU(mode="element")
    got = lin.init(jax.random.key(0), x)["params"]["negative_slope"].shape
    assert got == _keras_rule(x.shape, shared)
    mod = N.PReLU(shared_axes=shared or None, mode="element", in_features=x.shape[1:])
    assert mod.negative_slope.shape == _keras_rule(x.shape, shared)
    assert mod(x).shape == x.shape


def test_prelu_default_scalar_and_errors():
    x = jnp.ones((2, 4, 5, 3))
    assert L.PReLU().init(jax.random.key(0), x)["params"]["negative_slope"].shape == (3,)
    assert L.PReLU(mode="scalar").init(jax.random.key(0), x)["params"]["negative_slope"].shape == ()
    assert float(L.PReLU().init(jax.random.key(0), x)["params"]["negative_slope"][0]) == 0.25
    assert N.PReLU(mode="scalar").negative_slope.shape == ()
    with pytest.raises(ValueError, match="batch as axis 0"):
        L.PReLU(shared_axes=0)
    with pytest.raises(ValueError, match="mode='element'"):
        L.PReLU(mode="channel", shared_axes=(1,))
    with pytest.raises(ValueError, match="in_features"):
        N.PReLU()
    with pytest.raises(ValueError, match=r"input of shape \(2, 4\).*channel axis"):
        N.PReLU(in_features=3)(jnp.ones((2, 4)))
    # Shared axes may change size, the others may not.
    layer = N.PReLU(shared_axes=(1, 2), in_features=(4, 5, 3))
    assert layer(jnp.ones((1, 9, 9, 3))).shape == (1, 9, 9, 3)
    with pytest.raises(ValueError, match="non-shared axes"):
        layer(jnp.ones((1, 4, 5, 2)))
    variables = L.PReLU(mode="element").init(jax.random.key(0), x)
    with pytest.raises(ValueError, match="does not fit parameter"):
        L.PReLU(mode="element").apply(variables, jnp.ones((2, 4, 6, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        L.PReLU(in_features=4).init(jax.random.key(0), x)


def test_prelu_values():
    x = jnp.array([[-2.0, 3.0], [-1.0, -4.0]])
    mod = N.PReLU(in_features=2)
    mod.negative_slope[...] = jnp.array([0.1, 0.5])
    np.testing.assert_allclose(np.asarray(mod(x)), [[-0.2, 3.0], [-0.1, -2.0]], rtol=1e-6)


# --------------------------------------------------------------------------- #
# Keras layers: defaults, validation, numbers
# --------------------------------------------------------------------------- #


def test_keras_defaults_and_validation():
    assert L.LeakyReLU().negative_slope == 0.3 and N.LeakyReLU().negative_slope == 0.3
    assert L.ELU().alpha == 1.0 and L.ThresholdedReLU().theta == 1.0 and L.Softmax().axis == -1
    assert (L.ReLU().max_value, L.ReLU().negative_slope, L.ReLU().threshold) == (None, 0.0, 0.0)
    for bad in ({"negative_slope": -1.0}, {"max_value": -1.0}, {"threshold": -0.5}):
        for api in (L, N):
            with pytest.raises(ValueError, match=next(iter(bad))):
                api.ReLU(**bad)
    for api in (L, N):
        with pytest.raises(ValueError, match="negative_slope"):
            api.LeakyReLU(negative_slope=-0.1)
        with pytest.raises(ValueError, match="theta"):
            api.ThresholdedReLU(theta=-1.0)


# (layer, fields, the field the error must name): wrong types and out-of-domain values, all caught at construction.
BAD_FIELDS = [
    ("LeakyReLU", {"negative_slope": {}}, "negative_slope"),
    ("ELU", {"alpha": [1.0]}, "alpha"),
    ("PELU", {"alpha_init": None}, "alpha_init"),
    ("PELU", {"alpha_init": 0.0}, "alpha_init"),
    ("PELU", {"beta_init": np.array([1.0, -2.0])}, "beta_init"),
    ("PELU", {"alpha_init": "1"}, "alpha_init"),
    ("PReLU", {"negative_slope_init": float("nan")}, "negative_slope_init"),
    ("PReLU", {"mode": np.array([1, 2])}, "mode"),
    ("PReLU", {"mode": "row"}, "mode"),
    ("PReLU", {"shared_axes": {}}, "shared_axes"),
    ("Snake", {"in_features": []}, "in_features"),
    ("Snake", {"in_features": 0}, "in_features"),
    ("Snake", {"per_channel": {}}, "per_channel"),
    ("Snake", {"log_scale": True, "alpha_init": -1.0}, "alpha_init"),
    ("SnakeBeta", {"beta_init": 0.0}, "beta_init"),
    ("XIELU", {"alpha_p_init": 0.0}, "alpha_p_init"),
    ("XIELU", {"alpha_n_init": 0.4}, "alpha_n_init"),
    ("Rational", {"degrees": {}}, "degrees"),
    ("Rational", {"approximates": {"name": "nope"}}, "approximates"),
    ("APL", {"hinges": 0}, "hinges"),
    ("GLU", {"axis": [1]}, "axis"),
    ("Softmax", {"axis": {}}, "axis"),
    ("Dice", {"use_running_average": np.array([True])}, "use_running_average"),
    ("SwishBeta", {"param_dtype": "int32"}, "param_dtype"),
    ("Mix", {"activations": [{}]}, "activations"),
]


@pytest.mark.parametrize(
    ("name", "fields", "field"), BAD_FIELDS, ids=[f"{n}-{f}-{i}" for i, (n, _, f) in enumerate(BAD_FIELDS)]
)
def test_bad_fields_are_named_at_construction(name, fields, field):
    for api in (L, N):
        kw = dict(fields)
        if api is N and _layers.BY_NAME[name].needs_shape and "in_features" not in kw:
            kw["in_features"] = 4
        with pytest.raises((ValueError, TypeError), match=rf"{name}: {field}\b") as info:
            getattr(api, name)(**kw)
        assert "expected" in str(info.value) or "not allowed" in str(info.value), info.value


def test_keras_numbers():
    v = jnp.array([-10.0, -5.0, 0.0, 5.0, 10.0])
    for api in (L, N):
        layer = api.ReLU(negative_slope=0.5, max_value=5.0, threshold=5.0)
        out = layer.apply({}, v) if api is L else layer(v)
        np.testing.assert_allclose(np.asarray(out), [-7.5, -5.0, -2.5, 0.0, 5.0])
        layer = api.ThresholdedReLU(theta=5.0)
        out = layer.apply({}, v) if api is L else layer(v)
        np.testing.assert_allclose(np.asarray(out), [0, 0, 0, 0, 10.0])


def test_softmax_mask_keras_semantics():
    x = jnp.array([[1.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    np.testing.assert_allclose(np.asarray(L.Softmax().apply({}, x))[0], [0.21194157, 0.5761169, 0.21194157], rtol=1e-6)
    mask = jnp.array([[True, True, False], [False, False, False]])
    for out in (L.Softmax().apply({}, x, mask=mask), N.Softmax()(x, mask=mask)):
        e = np.exp([1.0, 2.0])
        np.testing.assert_allclose(np.asarray(out)[0], [*(e / e.sum()), 0.0], rtol=1e-6)
        np.testing.assert_array_equal(np.asarray(out)[1], [0.0, 0.0, 0.0])
    g = jax.grad(lambda v: jnp.sum(N.Softmax()(v, mask=mask) * jnp.arange(3.0)))(x)
    assert np.all(np.isfinite(np.asarray(g))) and np.all(np.asarray(g)[1] == 0)


def test_activation_layer():
    for api in (L, N):
        with pytest.raises(ValueError, match="rellu"):
            api.Activation("rellu")
        with pytest.raises(ValueError, match="negative_slope"):
            api.Activation("leaky_relu", negative_slope=float("nan"))
        layer = api.Activation("leaky_relu", negative_slope=0.1)
        x = jnp.array([-1.0, 2.0])
        out = layer.apply({}, x) if api is L else layer(x)
        np.testing.assert_allclose(np.asarray(out), [-0.1, 2.0], rtol=1e-6)
        cfg = json.loads(json.dumps(layer.get_config()))
        assert cfg == {
            "class_name": "Activation",
            "config": {"identifier": {"name": "leaky_relu", "config": {"negative_slope": 0.1}}},
        }
        again = api.from_config(cfg)
        assert repr(again) == repr(layer) == "Activation({'name': 'leaky_relu', 'config': {'negative_slope': 0.1}})"
    assert repr(L.Activation("swish")) == "Activation('silu')"


# --------------------------------------------------------------------------- #
# Config round trip, repr, tabulate
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip(name):
    spec = _layers.BY_NAME[name]
    x = _input(name)
    lin, mod = _pair(spec)
    for api, layer in ((L, lin), (N, mod)):
        cfg = layer.get_config()
        again = api.from_config(json.loads(json.dumps(cfg)))
        assert type(again) is type(layer) and repr(again) == repr(layer) and again.get_config() == cfg
    variables = lin.init(jax.random.key(0), x)
    again = L.from_config(lin.get_config())
    np.testing.assert_array_equal(
        np.asarray(lin.apply(variables, x, mutable=["batch_stats"])[0]),
        np.asarray(again.apply(variables, x, mutable=["batch_stats"])[0]),
    )


def test_config_of_nondefault_fields_and_initializers():
    layer = L.SnakeBeta(log_scale=True, alpha_init=0.5, param_dtype=jnp.bfloat16)
    assert repr(layer) == "SnakeBeta(log_scale=True, alpha_init=0.5, param_dtype=jnp.bfloat16)"
    cfg = json.loads(json.dumps(layer.get_config()))
    assert cfg["config"]["param_dtype"] == "bfloat16"
    assert repr(L.from_config(cfg)) == repr(layer)
    with pytest.raises(ValueError, match="initializer"):
        L.PReLU(negative_slope_init=nn.initializers.constant(0.1)).get_config()


def test_tabulate_shows_layers():
    class Model(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = L.with_activation(nn.Dense(8), "gelu")(x)
            x = L.PReLU()(x)
            x = L.Rational()(x)
            return L.Dice(use_running_average=True)(x)

    table = Model().tabulate(jax.random.key(0), jnp.ones((2, 3)), console_kwargs={"width": 200})
    for word in ("Activation", "PReLU", "Rational", "Dice", "negative_slope", "numerator", "batch_stats"):
        assert word in table, word
    model = nnx.Sequential(
        nnx.Linear(3, 8, rngs=nnx.Rngs(0)), N.PReLU(in_features=8), N.Rational(), N.Activation("gelu")
    )
    table = nnx.tabulate(model, jnp.ones((2, 3)), console_kwargs={"width": 200})
    for word in ("PReLU", "Rational", "Activation", "negative_slope"):
        assert word in table, word


# --------------------------------------------------------------------------- #
# dtypes, partitioning, transformations
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", NAMES)
def test_dtype_rules(name):
    spec = _layers.BY_NAME[name]
    lin, mod = _pair(spec)
    x = _input(name, dtype=jnp.bfloat16)
    variables = lin.init(jax.random.key(0), x)
    for v in jax.tree.leaves(variables.get("params", {})):
        assert v.dtype == jnp.float32
    assert lin.apply(variables, x, mutable=["batch_stats"])[0].dtype == jnp.bfloat16
    assert mod(x).dtype == jnp.bfloat16
    if spec.needs_shape:
        half = getattr(L, name)(param_dtype=jnp.bfloat16, **_kwargs(spec))
        for v in jax.tree.leaves(half.init(jax.random.key(0), x)):
            assert v.dtype == jnp.bfloat16


def test_partitioning_metadata():
    init = nn.with_partitioning(nn.initializers.constant(0.25), ("model",))
    variables = L.PReLU(negative_slope_init=init).init(jax.random.key(0), jnp.ones((2, 4)))
    box = variables["params"]["negative_slope"]
    assert isinstance(box, nn.Partitioned) and box.names == ("model",)
    assert nn.get_partition_spec(variables)["params"]["negative_slope"] == jax.sharding.PartitionSpec("model")
    mesh = jax.make_mesh((1,), ("model",), axis_types=(jax.sharding.AxisType.Auto,))
    with jax.set_mesh(mesh):
        init = nnx.with_partitioning(nnx.initializers.constant(0.25), ("model",))
        layer = N.PReLU(negative_slope_init=init, in_features=4, rngs=nnx.Rngs(0))
        assert layer(jnp.ones((2, 4))).shape == (2, 4)
    assert "model" in str(nnx.get_partition_spec(nnx.state(layer)))
    with pytest.raises(ValueError, match="rngs"):
        N.PReLU(negative_slope_init=nnx.initializers.constant(0.1), in_features=4)


def test_jit_vmap_grad_through_layers():
    x = _input("Snake", (5, 6))
    layer = L.Snake()
    variables = layer.init(jax.random.key(0), x)
    eager = layer.apply(variables, x)
    np.testing.assert_array_equal(np.asarray(jax.jit(layer.apply)(variables, x)), np.asarray(eager))
    per_example = jax.vmap(lambda v: layer.apply(variables, v))(x)
    np.testing.assert_allclose(np.asarray(per_example), np.asarray(eager), rtol=1e-6)
    g = jax.jit(jax.grad(lambda p: jnp.sum(layer.apply({"params": p}, x) ** 2)))(variables["params"])
    assert g["alpha"].shape == (6,) and np.all(np.isfinite(np.asarray(g["alpha"])))
    mod = N.Snake(in_features=6)

    @nnx.jit
    def step(m, v):
        return nnx.grad(lambda m: jnp.sum(m(v) ** 2))(m)

    np.testing.assert_allclose(np.asarray(step(mod, x)["alpha"][...]), np.asarray(g["alpha"]), rtol=1e-5)


# --------------------------------------------------------------------------- #
# Stateful: Dice, RReLU
# --------------------------------------------------------------------------- #


def test_dice_running_statistics_follow_the_formula():
    k, momentum = 5, 0.9
    batches = [jax.random.normal(jax.random.key(i), (16, 3)) * (i + 1) + i for i in range(k)]
    lin = L.Dice(momentum=momentum)
    variables = lin.init(jax.random.key(0), batches[0], use_running_average=False)
    np.testing.assert_array_equal(np.asarray(variables["batch_stats"]["mean"]), np.zeros(3))  # init does not update
    mod = N.Dice(momentum=momentum, in_features=3)
    mean, var = np.zeros(3), np.ones(3)
    for b in batches:
        _, upd = lin.apply(variables, b, use_running_average=False, mutable=["batch_stats"])
        variables = {**variables, **upd}
        mod.train()
        mod(b)
        bb = np.asarray(b, np.float64)
        mean = momentum * mean + (1 - momentum) * bb.mean(0)
        var = momentum * var + (1 - momentum) * bb.var(0)
    np.testing.assert_allclose(np.asarray(variables["batch_stats"]["mean"]), mean, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(variables["batch_stats"]["var"]), var, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(mod.mean[...]), mean, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(mod.var[...]), var, rtol=1e-5)
    # Evaluation uses the running statistics: the pure formula with them.
    x = jnp.linspace(-3, 3, 12).reshape(4, 3)
    alpha = np.asarray(variables["params"]["alpha"], np.float64)
    p = 1 / (1 + np.exp(-(np.asarray(x, np.float64) - mean) / np.sqrt(var + 1e-8)))
    want = np.asarray(x, np.float64) * (alpha + (1 - alpha) * p)
    np.testing.assert_allclose(
        np.asarray(lin.apply(variables, x, use_running_average=True)), want, rtol=1e-5, atol=1e-6
    )
    mod.eval()
    assert mod.use_running_average is True
    np.testing.assert_allclose(np.asarray(mod(x)), want, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="use_running_average"):
        L.Dice().init(jax.random.key(0), x)


def test_rrelu_train_and_eval():
    x = -jnp.linspace(0.5, 4.0, 400).reshape(20, 20)
    lin = L.RReLU()
    a = lin.apply({}, x, deterministic=False, rngs={"rrelu": jax.random.key(1)})
    b = lin.apply({}, x, deterministic=False, rngs={"rrelu": jax.random.key(1)})
    c = lin.apply({}, x, deterministic=False, rngs={"rrelu": jax.random.key(2)})
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))
    slopes = np.asarray(a) / np.asarray(x)
    assert slopes.min() >= 1 / 8 - 1e-6 and slopes.max() <= 1 / 3 + 1e-6 and slopes.std() > 0.03
    np.testing.assert_allclose(np.asarray(lin.apply({}, x, deterministic=True)), np.asarray(x) * 11 / 48, rtol=1e-6)
    assert np.array_equal(
        np.asarray(lin.apply({}, -x, deterministic=False, rngs={"rrelu": jax.random.key(1)})), -np.asarray(x)
    )
    mod = N.RReLU(rngs=nnx.Rngs(rrelu=3))
    mod.train()
    n1, n2 = np.asarray(mod(x)), np.asarray(mod(x))
    assert not np.array_equal(n1, n2) and (n1 / np.asarray(x)).max() <= 1 / 3 + 1e-6
    mod.eval()
    np.testing.assert_allclose(np.asarray(mod(x)), np.asarray(x) * 11 / 48, rtol=1e-6)
    np.testing.assert_array_equal(
        np.asarray(N.RReLU()(x, deterministic=False, rngs=nnx.Rngs(rrelu=5))),
        np.asarray(N.RReLU()(x, deterministic=False, rngs=nnx.Rngs(rrelu=5))),
    )
    with pytest.raises(ValueError, match="deterministic"):
        L.RReLU().apply({}, x)
    with pytest.raises(ValueError, match="rngs"):
        N.RReLU()(x, deterministic=False)
    with pytest.raises(ValueError, match="lower"):
        L.RReLU(lower=0.5, upper=0.2)


# --------------------------------------------------------------------------- #
# Gating, mixtures, with_activation
# --------------------------------------------------------------------------- #


def test_glu_gates_the_second_half():
    x = jnp.array([[1.0, 2.0, 0.0, -1.0]])
    want = np.array([[1.0 / 2.0, 2.0 / (1 + np.e)]])
    np.testing.assert_allclose(np.asarray(L.GLU().apply({}, x)), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(N.GLU()(x)), want, rtol=1e-6)
    with pytest.raises(ValueError, match="even"):
        N.GLU()(jnp.ones((1, 3)))


def test_gated_ffn_two_thirds_rule_and_presets():
    x = jax.random.normal(jax.random.key(0), (3, 12))
    for api_l, api_n, act in ((L.SwiGLU, N.SwiGLU, "silu"), (L.GEGLU, N.GEGLU, "gelu"), (L.ReGLU, N.ReGLU, "relu")):
        lin = api_l(multiple_of=8)
        variables = lin.init(jax.random.key(1), x)
        p = variables["params"]
        assert p["up_kernel"].shape == (12, 32) and p["down_kernel"].shape == (32, 12)  # 2/3 * 4 * 12 = 32
        mod = api_n(multiple_of=8, in_features=12, rngs=nnx.Rngs(0))
        for k, v in p.items():
            getattr(mod, k)[...] = v
        want = (ja.get(act)(x @ p["gate_kernel"]) * (x @ p["up_kernel"])) @ p["down_kernel"]
        np.testing.assert_allclose(np.asarray(lin.apply(variables, x)), np.asarray(want), rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(np.asarray(mod(x)), np.asarray(lin.apply(variables, x)))
        assert lin.apply(variables, x.astype(jnp.bfloat16)).dtype == jnp.bfloat16
        cfg = json.loads(json.dumps(lin.get_config()))
        assert L.from_config(cfg).get_config() == cfg and cfg["config"]["activation"] == act
    assert L.GatedFFN(hidden_features=20).init(jax.random.key(0), x)["params"]["up_kernel"].shape == (12, 20)
    assert "bias" in str(jax.tree.map(jnp.shape, L.GatedFFN(use_bias=True).init(jax.random.key(0), x)))
    with pytest.raises(ValueError, match="in_features"):
        N.GatedFFN(rngs=nnx.Rngs(0))


def test_mix_layer():
    x = jnp.linspace(-2, 2, 8).reshape(2, 4)
    lin = L.Mix(activations=("relu", "tanh"))
    variables = lin.init(jax.random.key(0), x)
    np.testing.assert_allclose(np.asarray(lin.apply(variables, x)), 0.5 * (np.maximum(x, 0) + np.tanh(x)), rtol=1e-6)
    per = L.Mix(activations=("relu", "tanh"), per_channel=True).init(jax.random.key(0), x)
    assert per["params"]["logits"].shape == (2, 4)
    with pytest.raises(ValueError, match="activations"):
        L.Mix(activations="relu")


def test_with_activation():
    x = jnp.ones((2, 3))
    for act in (
        "relu",
        {"name": "leaky_relu", "config": {"negative_slope": 0.1}},
        ja.get("elu", alpha=0.5),
        jnp.tanh,
        L.PReLU(),
    ):
        layer = L.with_activation(nn.Dense(4), act)
        variables = layer.init(jax.random.key(0), x)
        dense = nn.Dense(4).apply({"params": variables["params"]["layer"]}, x)
        got = layer.apply(variables, x)
        if isinstance(act, nn.Module):
            want = act.apply({"params": variables["params"]["activation"]}, dense)
        else:
            want = ja.get(act)(dense)
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
    with pytest.raises(ValueError, match="rellu"):
        L.with_activation(nn.Dense(4), "rellu")
    with pytest.raises(TypeError, match="Module"):
        L.with_activation(lambda v: v, "relu")
    lin = nnx.Linear(3, 4, rngs=nnx.Rngs(0))
    layer = N.with_activation(lin, "relu")
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(jnp.maximum(lin(x), 0)), rtol=1e-6)
    layer = N.with_activation(nnx.Linear(3, 4, rngs=nnx.Rngs(0)), N.PReLU(in_features=4))
    assert layer(x).shape == (2, 4)
    with pytest.raises(ValueError, match="rellu"):
        N.with_activation(lin, "rellu")


def test_readme_model():
    # The README example: a name-selected activation, a PReLU and a learnable Rational layer.
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = L.with_activation(nn.Dense(16), "gelu")(x)
            x = L.PReLU()(nn.Dense(16)(x))
            x = L.Rational(approximates="leaky_relu")(nn.Dense(16)(x))
            return nn.Dense(1)(x)

    x = jax.random.normal(jax.random.key(0), (32, 3))
    variables = MLP().init(jax.random.key(1), x)
    p = variables["params"]
    assert p["PReLU_0"]["negative_slope"].shape == (16,)
    assert p["Rational_0"]["numerator"].shape == (6,) and p["Rational_0"]["denominator"].shape == (4,)
    grads = jax.jit(jax.grad(lambda q: jnp.mean(MLP().apply({"params": q}, x) ** 2)))(p)
    assert all(np.all(np.isfinite(np.asarray(g))) for g in jax.tree.leaves(grads))
