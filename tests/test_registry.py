"""The registry: names, get, serialize, deserialize, register, errors."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jax_activations as ja


def test_get_none_is_linear_and_callables_pass_through():
    assert ja.get(None) is ja.get("linear")

    def mine(x):
        return x * 3

    assert ja.get(mine) is mine
    assert ja.get(jax.nn.relu) is jax.nn.relu


@pytest.mark.parametrize("name", ja.names())
def test_every_name_and_alias_resolves_to_its_function(name):
    s = ja.spec(name)
    assert ja.get(name) is s.fn
    for alias in s.aliases:
        assert ja.get(alias) is s.fn
        assert getattr(ja, alias) is s.fn
    if s.builtin:
        assert getattr(ja, name) is s.fn


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [("swish", "silu"), ("soft_sign", "softsign"), ("hard_swish", "hard_silu"), ("identity", "linear")],
)
def test_jax_nn_spellings_are_aliases(alias, canonical):
    if canonical not in ja.names():
        pytest.skip(f"{canonical} not registered")
    assert ja.get(alias) is ja.get(canonical)
    assert ja.serialize(ja.get(alias)) == canonical


@pytest.mark.parametrize("name", [s.name for s in ja.specs() if s.builtin])
def test_builtins_round_trip_by_name(name):
    f = ja.get(name)
    assert ja.serialize(f) == name
    assert ja.deserialize(ja.serialize(f)) is f
    assert ja.deserialize(json.loads(json.dumps(ja.serialize(f)))) is f


def _config_cases():
    out = []
    for s in ja.specs():
        if not s.builtin:
            continue
        for k, v in s.params.items():
            if isinstance(v, bool) or k in s.static:
                continue
            if isinstance(v, float) and v not in (0.0,):
                out.append((s.name, {k: v * 0.5}))
            elif isinstance(v, float):
                out.append((s.name, {k: 0.25}))
    return out


@pytest.mark.parametrize(("name", "config"), _config_cases())
def test_configured_activations_round_trip_through_json(name, config):
    act = ja.get(name, **config)
    assert isinstance(act, ja.Configured)
    data = json.loads(json.dumps(ja.serialize(act)))
    assert data == {"name": name, "config": config}
    back = ja.deserialize(data)
    assert back == act and hash(back) == hash(act)
    assert ja.get(data) == act


def test_configured_activation_computes_with_its_config_and_is_a_static_arg():
    act = ja.get("elu", alpha=2.0)
    x = jnp.array([-1.0, 1.0])
    np.testing.assert_allclose(np.asarray(act(x)), [2.0 * np.expm1(-1.0), 1.0], rtol=1e-6)
    assert repr(act) == "elu(alpha=2.0)"

    @jax.jit
    def apply(x, f=act):
        return f(x)

    run = jax.jit(lambda x, f: f(x), static_argnums=1)
    np.testing.assert_allclose(np.asarray(run(x, act)), np.asarray(act(x)))
    np.testing.assert_allclose(np.asarray(apply(x)), np.asarray(act(x)))
    assert ja.get("elu", alpha=2.0) == act
    assert ja.get("elu", alpha=1.5) != act


def test_keras_serialized_dicts_are_accepted():
    keras_dict = {
        "module": "keras.src.activations.activations",
        "class_name": "function",
        "config": "elu",
        "registered_name": "function",
    }
    assert ja.deserialize(keras_dict) is ja.elu
    assert ja.get(keras_dict) is ja.elu


def test_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match=r"unknown name 'elux'.*'elu'"):
        ja.get("elux")


@pytest.mark.parametrize("bad", [5, 3.0, b"relu", ["relu"], object()])
def test_wrong_identifier_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="identifier"):
        ja.get(bad)


def test_unknown_config_key_raises_value_error_naming_it():
    with pytest.raises(ValueError, match=r"unknown argument 'beta'.*alpha"):
        ja.get("elu", beta=1.0)
    with pytest.raises(ValueError, match="alpha=nan"):
        ja.get("elu", alpha=float("nan"))


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system",
        "os.system",
        "lambda x: x",
        "jax.nn.relu",
        {"name": "os.system", "config": {}},
        {"module": "os", "class_name": "function", "config": "system", "registered_name": "function"},
        {"module": "builtins", "class_name": "function", "config": "eval"},
        {"class_name": "Lambda", "config": {"function": "lambda x: x"}},
        {"name": "relu", "config": {}, "module": "os"},
    ],
)
def test_deserialize_only_looks_names_up(payload, monkeypatch):
    import builtins

    imported = []
    real_import = builtins.__import__

    def spy(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", spy)
    with pytest.raises(ValueError):
        ja.deserialize(payload)
    monkeypatch.undo()
    assert not [m for m in imported if m.split(".")[0] in {"os", "subprocess", "builtins"}]


def test_register_user_activation_round_trips_and_refuses_duplicates():
    @ja.register("test_cube", override=True)
    def cube(x, scale=1.0):
        return scale * x**3

    assert ja.get("test_cube") is cube
    assert ja.serialize(cube) == {"name": "test_cube", "config": {}}
    assert ja.deserialize(ja.serialize(cube)) is cube
    act = ja.get("test_cube", scale=2.0)
    assert float(act(jnp.float32(2.0))) == 16.0
    assert ja.deserialize(ja.serialize(act)) == act
    with pytest.raises(ValueError, match="already registered"):
        ja.register("test_cube")(lambda x: x)
    with pytest.raises(ValueError, match="already registered"):
        ja.register("elu")(lambda x: x)
    with pytest.raises(ValueError, match="unknown argument 'offset'"):
        ja.get("test_cube", offset=1.0)


def test_serializing_an_unregistered_callable_says_how_to_register():
    with pytest.raises(ValueError, match="register"):
        ja.serialize(lambda x: x)


def test_names_lists_canonical_names_sorted():
    names = ja.names()
    assert names == sorted(names)
    assert "elu" in names
    assert set(ja.names(aliases=True)) >= set(names)


def test_hyperparameters_may_be_positional_as_in_keras():
    x = jnp.array([-1.0])
    np.testing.assert_allclose(np.asarray(ja.elu(x, 0.5)), [0.5 * np.expm1(-1.0)], rtol=1e-6)
    with pytest.raises(TypeError, match="at most"):
        ja.elu(x, 0.5, 3.0)
    with pytest.raises(TypeError, match="unknown argument"):
        ja.elu(x, beta=1.0)


def test_eager_call_is_one_compiled_computation():
    # The public function dispatches straight to one jitted computation: its
    # cache grows by exactly one entry for a new shape, none for a new slope value.
    f = ja.elu._compiled
    x = jnp.ones((7, 3, 13))  # a shape no other test uses
    before = f._cache_size()
    ja.elu(x, alpha=0.3)
    after_first = f._cache_size()
    ja.elu(x, alpha=0.7)
    assert after_first == before + 1
    assert f._cache_size() == after_first
    ja.elu(x, alpha=jnp.float32(0.9))  # a strongly typed scalar is one more signature ...
    ja.elu(x, alpha=jnp.float32(0.1))  # ... and its values share it
    assert f._cache_size() == after_first + 1


def test_checked_hyperparameters_are_cached_per_value_and_still_refused_each_time():
    # Plain Python scalars that passed the checks once skip them on the next eager call: a different value
    # must still be checked and computed with, and a refused value must be refused every time.
    x = jnp.array([-2.0, 0.5, 3.0])
    for alpha in (0.5, 2.0, 0.5, 2, 2.0):
        want = np.where(np.asarray(x) > 0, np.asarray(x), alpha * np.expm1(np.asarray(x, np.float64)))
        np.testing.assert_allclose(np.asarray(ja.elu(x, alpha)), want, rtol=1e-6)
        np.testing.assert_allclose(
            np.asarray(ja.celu(x, alpha=alpha)),
            np.where(np.asarray(x) > 0, np.asarray(x), alpha * np.expm1(np.asarray(x, np.float64) / alpha)),
            rtol=1e-6,
        )
    for _ in range(3):
        with pytest.raises(ValueError, match=r"celu: alpha=-1\.0 is not allowed"):
            ja.celu(x, alpha=-1.0)
        with pytest.raises(ValueError, match="celu: alpha=nan is not allowed"):
            ja.celu(x, alpha=float("nan"))
    assert np.isfinite(np.asarray(ja.celu(x, alpha=1e-30))).all()  # fine in float32 ...
    with pytest.raises(ValueError, match="when rounded to float32"):
        ja.celu(x, alpha=1e-60)  # ... this one rounds to 0 in float32, the compute dtype
