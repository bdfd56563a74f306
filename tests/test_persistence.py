"""Nothing lost, nothing executed: checkpoints, configs, determinism, no code from configs.

* Learnable parameters and Dice's running statistics round-trip bit-exactly
  through ``flax.serialization`` (msgpack) and an Orbax checkpoint, for every
  layer with state, in linen and NNX; the restored model gives identical outputs.
* Model configs naming activations (names, configured, composed) and layer
  configs round-trip through JSON.
* Same key, same RReLU draw; jit and eager agree bit for bit for every function.
* ``get``/``deserialize``/layer ``from_config`` only look names up: no import,
  no eval/exec/compile, no unpickling, no attribute walk into modules.
"""

from __future__ import annotations

import builtins
import importlib
import json
import pickle

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp
import pytest
from _hardening import builtin_specs, call_kwargs
from flax import nnx, serialization

import jax_activations as ja
import jax_activations.compose as jc
import jax_activations.linen as jl
import jax_activations.nnx as jn
from jax_activations import _layers

STATEFUL = [s.name for s in _layers.SPECS if s.params or s.stats]
C = 6
X = np.random.default_rng(0).standard_normal((4, C)).astype(np.float32)


def _perturb(tree, seed: int):
    """Move every leaf away from its initial value (so a lost update would show)."""
    leaves, treedef = jax.tree.flatten(tree)
    rng = np.random.default_rng(seed)
    return jax.tree.unflatten(
        treedef,
        [jnp.asarray(np.asarray(v) + rng.uniform(0.01, 0.05, np.shape(v)).astype(np.asarray(v).dtype)) for v in leaves],
    )


def _assert_bitwise(a, b, what: str) -> None:
    la, ta = jax.tree.flatten(a)
    lb, tb = jax.tree.flatten(b)
    assert ta == tb, f"{what}: tree structure differs: {ta} vs {tb}"
    for u, v in zip(la, lb, strict=True):
        u, v = np.asarray(u), np.asarray(v)
        assert u.dtype == v.dtype and u.shape == v.shape, f"{what}: {u.dtype}{u.shape} vs {v.dtype}{v.shape}"
        assert u.tobytes() == v.tobytes(), f"{what}: values differ"


def _linen(name: str):
    layer = getattr(jl, name)()
    kw = {"use_running_average": False} if "use_running_average" in layer.spec.flags else {}
    variables = layer.init(jax.random.key(0), X, **kw)
    # a training call updates running statistics (Dice)
    if "batch_stats" in variables:
        _, upd = layer.apply(variables, X * 2.0 + 1.0, mutable=["batch_stats"], **kw)
        variables = {**variables, **upd}
    variables = {k: _perturb(v, i) if k == "params" else v for i, (k, v) in enumerate(variables.items())}
    return layer, variables


def _linen_apply(layer, variables):
    kw = {"use_running_average": True} if "use_running_average" in layer.spec.flags else {}
    return layer.apply(variables, X, **kw)


def _nnx(name: str, seed: int = 0):
    layer = getattr(jn, name)(in_features=C, rngs=nnx.Rngs(seed))
    if "use_running_average" in layer.spec.flags:
        layer(X * 2.0 + 1.0, use_running_average=False)
    params = nnx.state(layer, nnx.Param)
    nnx.update(layer, _perturb(params, 1))
    return layer


def _nnx_apply(layer):
    kw = {"use_running_average": True} if "use_running_average" in layer.spec.flags else {}
    return layer(X, **kw)


# --------------------------------------------------------------------------- #
# checkpoints
# --------------------------------------------------------------------------- #


def test_stateful_layers_are_listed():
    assert {"PReLU", "Dice", "Rational"} <= set(STATEFUL), STATEFUL


@pytest.mark.parametrize("name", STATEFUL)
def test_linen_msgpack_round_trip(name):
    layer, variables = _linen(name)
    blob = serialization.to_bytes(variables)
    target = layer.init(
        jax.random.key(1), X, **({"use_running_average": False} if "use_running_average" in layer.spec.flags else {})
    )
    restored = serialization.from_bytes(target, blob)
    _assert_bitwise(restored, variables, f"{name} linen variables")
    _assert_bitwise(_linen_apply(layer, restored), _linen_apply(layer, variables), f"{name} outputs")
    if "batch_stats" in variables:
        assert not all(np.all(np.asarray(v) == 0) for v in jax.tree.leaves(variables["batch_stats"]["mean"]))


@pytest.mark.parametrize("name", STATEFUL)
def test_nnx_msgpack_round_trip(name):
    layer = _nnx(name)
    blob = serialization.msgpack_serialize(nnx.to_pure_dict(nnx.state(layer)))
    fresh = getattr(jn, name)(in_features=C, rngs=nnx.Rngs(1))
    state = nnx.state(fresh)
    nnx.replace_by_pure_dict(state, serialization.msgpack_restore(blob))
    nnx.update(fresh, state)
    _assert_bitwise(nnx.state(fresh), nnx.state(layer), f"{name} nnx state")
    _assert_bitwise(_nnx_apply(fresh), _nnx_apply(layer), f"{name} outputs")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_orbax_round_trip_linen_and_nnx(tmp_path):
    """One Orbax checkpoint holding every stateful layer, linen variables and NNX state."""
    linen = {name: _linen(name) for name in STATEFUL}
    nnxs = {name: _nnx(name) for name in STATEFUL}
    tree = {
        "linen": {name: v for name, (_, v) in linen.items()},
        "nnx": {name: nnx.to_pure_dict(nnx.state(m)) for name, m in nnxs.items()},
    }
    with ocp.StandardCheckpointer() as ckpt:
        ckpt.save(tmp_path / "ckpt", tree)
        ckpt.wait_until_finished()
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, tree)
        restored = ckpt.restore(tmp_path / "ckpt", abstract)
    _assert_bitwise(restored, tree, "orbax checkpoint")
    for name, (layer, variables) in linen.items():
        _assert_bitwise(
            _linen_apply(layer, restored["linen"][name]), _linen_apply(layer, variables), f"{name} linen outputs"
        )
    for name, m in nnxs.items():
        fresh = getattr(jn, name)(in_features=C, rngs=nnx.Rngs(2))
        state = nnx.state(fresh)
        nnx.replace_by_pure_dict(state, restored["nnx"][name])
        nnx.update(fresh, state)
        _assert_bitwise(_nnx_apply(fresh), _nnx_apply(m), f"{name} nnx outputs")


# --------------------------------------------------------------------------- #
# configs through JSON
# --------------------------------------------------------------------------- #


def _model_config():
    return {
        "hidden": [
            {"units": 8, "activation": "gelu"},
            {"units": 8, "activation": ja.serialize(ja.get("leaky_relu", negative_slope=0.1))},
            {"units": 8, "activation": ja.serialize(jc.compose("tanh", ja.get("elu", alpha=0.5)))},
            {"units": 8, "activation": ja.serialize(jc.scaled("silu", scale=2.0, shift=-0.5))},
            {"units": 8, "activation": ja.serialize(jc.mix(["relu", "tanh"]))},
            {"units": 8, "activation": ja.serialize(jc.gated("sigmoid"))},
            {"units": 8, "activation": None},
        ]
    }


def test_model_config_naming_activations_round_trips_through_json():
    cfg = _model_config()
    back = json.loads(json.dumps(cfg))
    assert back == json.loads(json.dumps(back))
    x = jnp.asarray(np.random.default_rng(1).standard_normal((3, 8)).astype(np.float32))
    for before, after in zip(cfg["hidden"], back["hidden"], strict=True):
        f, g = ja.get(before["activation"]), ja.get(after["activation"])
        assert f == g or f is g
        if ja.serialize(f) != "linear":
            assert ja.serialize(g) == before["activation"] or ja.serialize(g) == after["activation"]
        _assert_bitwise(g(x), f(x), f"activation {after['activation']}")


@pytest.mark.parametrize("api", ["linen", "nnx"])
@pytest.mark.parametrize("name", [s.name for s in _layers.SPECS])
def test_layer_configs_round_trip_through_json(api, name):
    mod = jl if api == "linen" else jn
    cls = getattr(mod, name)
    layer = cls(in_features=C) if api == "nnx" and cls.spec.needs_shape else cls()
    cfg = json.loads(json.dumps(layer.get_config()))
    back = mod.from_config(cfg)
    assert type(back) is type(layer)
    assert back.get_config() == layer.get_config()
    assert repr(back) == repr(layer)


@pytest.mark.parametrize("api", ["linen", "nnx"])
def test_activation_layer_config_with_a_composed_activation(api):
    mod = jl if api == "linen" else jn
    act = jc.compose("tanh", ja.get("leaky_relu", negative_slope=0.1))
    layer = mod.Activation(act)
    back = mod.from_config(json.loads(json.dumps(layer.get_config())))
    assert back.identifier == act
    x = jnp.asarray(X)
    if api == "linen":
        _assert_bitwise(back.apply({}, x), layer.apply({}, x), "Activation layer outputs")
    else:
        _assert_bitwise(back(x), layer(x), "Activation layer outputs")


# --------------------------------------------------------------------------- #
# determinism
# --------------------------------------------------------------------------- #


def test_rrelu_same_key_same_output_and_keys_matter():
    x = jnp.asarray(np.linspace(-4, 4, 257, dtype=np.float32))
    a = ja.rrelu(x, key=jax.random.key(7), deterministic=False)
    b = ja.rrelu(x, key=jax.random.key(7), deterministic=False)
    c = ja.rrelu(x, key=jax.random.key(8), deterministic=False)
    _assert_bitwise(a, b, "rrelu with the same key")
    assert not np.array_equal(np.asarray(a), np.asarray(c)), "different keys gave the same draw"
    _assert_bitwise(
        jax.jit(lambda v, k: ja.rrelu(v, key=k, deterministic=False))(x, jax.random.key(7)), a, "rrelu under jit"
    )


def test_rrelu_layers_same_key_same_output():
    x = jnp.asarray(X - 1.0)
    layer = jl.RReLU()
    y1 = layer.apply({}, x, deterministic=False, rngs={"rrelu": jax.random.key(3)})
    y2 = layer.apply({}, x, deterministic=False, rngs={"rrelu": jax.random.key(3)})
    _assert_bitwise(y1, y2, "linen RReLU with the same key")
    z1 = jn.RReLU(rngs=nnx.Rngs(rrelu=3))(x, deterministic=False)
    z2 = jn.RReLU(rngs=nnx.Rngs(rrelu=3))(x, deterministic=False)
    _assert_bitwise(z1, z2, "nnx RReLU with the same seed")


@pytest.mark.parametrize("name", [s.name for s in builtin_specs()])
def test_jit_and_eager_identical(name):
    spec = ja.spec(name)
    x = np.random.default_rng(5).standard_normal((3, 8)).astype(np.float32) * 4
    x[0, :4] = [0.0, -0.0, np.inf, -np.inf]
    kw = call_kwargs(spec)
    if spec.kind == "random":
        kw = {**kw, "key": jax.random.key(0), "deterministic": False}
    f = lambda v: spec.fn(v, **kw)
    eager = f(jnp.asarray(x))
    _assert_bitwise(jax.jit(f)(jnp.asarray(x)), eager, f"{name}: jit vs eager")
    _assert_bitwise(f(jnp.asarray(x)), eager, f"{name}: eager twice")


# --------------------------------------------------------------------------- #
# security: identifiers are looked up, never executed
# --------------------------------------------------------------------------- #

PAYLOADS = [
    "__import__('os').system",
    "os.system",
    "os:system",
    "lambda x: x",
    "eval('1')",
    "subprocess.call",
    "jax.nn.relu",
    "jax_activations._registry._SPECS",
    "relu; import os",
    "relu\x00os",
    "__builtins__",
    "__class__",
    {"name": "os.system", "config": {}},
    {"name": "__import__", "config": {"name": "os"}},
    {"name": "relu", "config": {"__class__": "os"}},
    {"name": "compose", "config": {"functions": ["relu", "os.system"]}},
    {"name": "compose", "config": {"functions": ["relu", {"name": "subprocess.Popen", "config": {"args": ["ls"]}}]}},
    {"name": "scaled", "config": {"function": "lambda x: x"}},
    {"name": "mix", "config": {"functions": ["builtins.eval"]}},
    {"module": "os", "class_name": "function", "config": "system", "registered_name": "function"},
    {"module": "builtins", "class_name": "function", "config": "eval"},
    {"module": "keras.src.activations", "class_name": "function", "config": "os.system"},
    {"class_name": "Lambda", "config": {"function": "lambda x: x"}},
    {"py/object": "os.system"},
    {"__reduce__": ["os.system", ["ls"]]},
]
LAYER_PAYLOADS = [
    {"class_name": "os.system", "config": {}},
    {"class_name": "Activation", "config": {"identifier": "os.system"}},
    {"class_name": "Activation", "config": {"identifier": {"name": "compose", "config": {"functions": ["eval"]}}}},
    {"class_name": "GLU", "config": {"activation": "__import__('os').system"}},
    {"class_name": "Mix", "config": {"activations": ["relu", "os.system"]}},
    {"class_name": "PReLU", "config": {"negative_slope_init": "lambda k, s, d: __import__('os')"}},
    {"class_name": "__subclasses__", "config": {}},
]


@pytest.fixture
def spy(monkeypatch):
    """Record every import, eval, exec, compile, unpickle and module attribute lookup by name."""
    calls: list[tuple[str, str]] = []
    real_import, real_import_module, real_getattr = builtins.__import__, importlib.import_module, builtins.getattr

    def imp(name, *args, **kwargs):
        calls.append(("import", name))
        return real_import(name, *args, **kwargs)

    def imp_mod(name, *args, **kwargs):
        calls.append(("import_module", name))
        return real_import_module(name, *args, **kwargs)

    def forbidden(label):
        def f(*args, **kwargs):
            calls.append((label, repr(args[:1])))
            raise AssertionError(f"{label} called with {args[:1]!r}")

        return f

    def getattr_spy(obj, name, *default):
        if isinstance(obj, type(builtins)) and obj.__name__.split(".")[0] in (
            "os",
            "subprocess",
            "builtins",
            "sys",
            "shutil",
        ):
            calls.append(("getattr", f"{obj.__name__}.{name}"))
        return real_getattr(obj, name, *default)

    monkeypatch.setattr(builtins, "__import__", imp)
    monkeypatch.setattr(importlib, "import_module", imp_mod)
    monkeypatch.setattr(builtins, "eval", forbidden("eval"))
    monkeypatch.setattr(builtins, "exec", forbidden("exec"))
    monkeypatch.setattr(builtins, "compile", forbidden("compile"))
    monkeypatch.setattr(pickle, "loads", forbidden("pickle.loads"))
    monkeypatch.setattr(builtins, "getattr", getattr_spy)
    return calls


def _suspicious(calls):
    bad_modules = ("os", "subprocess", "builtins", "sys", "shutil", "pickle", "marshal", "keras", "jax.nn", "importlib")
    return [c for c in calls if c[0] != "import" or c[1].split(".")[0] in bad_modules or c[1].startswith(bad_modules)]


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_get_and_deserialize_never_run_code(payload, spy):
    for fn in (ja.get, ja.deserialize):
        with pytest.raises((ValueError, TypeError)):
            fn(payload)
    with pytest.raises((ValueError, TypeError)):
        ja.Configured(payload if isinstance(payload, str) else "relu", None if isinstance(payload, str) else payload)
    assert not _suspicious(spy), spy


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if isinstance(p, str)])
def test_combinators_and_layers_reject_code_strings(payload, spy):
    for build in (
        lambda: jc.compose("relu", payload),
        lambda: jc.scaled(payload),
        lambda: jc.gated(payload),
        lambda: jc.mix(["relu", payload]),
        lambda: jl.Activation(payload),
        lambda: jn.Activation(payload),
        lambda: jl.with_activation(nn.Dense(2), payload),
    ):
        with pytest.raises((ValueError, TypeError)):
            build()
    assert not _suspicious(spy), spy


@pytest.mark.parametrize("payload", LAYER_PAYLOADS, ids=[f"l{i}" for i in range(len(LAYER_PAYLOADS))])
@pytest.mark.parametrize("api", ["linen", "nnx"])
def test_layer_from_config_never_runs_code(payload, api, spy):
    mod = jl if api == "linen" else jn
    with pytest.raises((ValueError, TypeError)):
        mod.from_config(payload)
    assert not _suspicious(spy), spy


def test_the_spy_can_see(spy):
    """Control: the spy records imports and refuses eval, so the tests above can fail."""
    importlib.import_module("json")
    __import__("os")
    with pytest.raises(AssertionError):
        eval("1")
    getattr(builtins, "len")  # noqa: B009 - the spy records module attribute lookups
    assert ("import_module", "json") in spy and ("import", "os") in spy
    assert ("getattr", "builtins.len") in spy
    assert len(_suspicious(spy)) >= 3
