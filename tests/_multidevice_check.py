"""Multi-device checks, run in a subprocess by ``tests/test_sharding.py``.

JAX fixes its device count when it initializes, so this script sets
``XLA_FLAGS=--xla_force_host_platform_device_count=8`` before importing JAX and
fakes eight CPU devices arranged as a 2 x 4 mesh (``data`` x ``model``).  Every
check is one named case ``check[activation]``; the script writes
``{case: "ok" | error}`` as JSON to the path given as its first argument.
:func:`cases` lists the case names without touching devices, so the parent test
parametrizes over them.

To stay fast on a small CPU, each check compiles ONE program that applies every
activation of the group (a dict of outputs) and only compiles per activation to
attribute a failure.

Run it by hand: ``python tests/_multidevice_check.py out.json``.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # must precede the first `import jax`
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8").strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import importlib.util
import json
import re
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
from _hardening import POINTWISE_KINDS, builtin_specs, call_kwargs, reference

COLLECTIVES = ("all-reduce", "all-gather", "all-to-all", "collective-permute", "reduce-scatter", "collective-broadcast")
MESH_SHAPE = (2, 4)
AXES = ("data", "model")
POINTWISE_CHECKS = ("pointwise-auto", "pointwise-explicit", "pointwise-eager", "pointwise-vjp", "shard_map", "pmap")
AXIS_CHECKS = ("axis-unsharded", "axis-sharded-auto", "axis-sharded-explicit", "shard_map", "pmap")
# Learnable activations whose parameters broadcast per channel (last axis): the
# parameter is sharded like the channels and still no collective is needed.
CHANNEL_PARAMS = {
    "prelu": ("negative_slope",),
    "snake": ("alpha",),
    "snake_beta": ("alpha", "beta"),
    "swish_beta": ("beta",),
    "pelu": ("alpha", "beta"),
    "dyt": ("weight", "bias"),
    "acon_c": ("p1", "p2", "beta"),
    "star_relu": ("scale", "bias"),
}


def _layer_modules() -> list[str]:
    return [m for m in ("linen", "nnx") if importlib.util.find_spec(f"jax_activations.{m}") is not None]


def _channel_specs() -> list[Any]:
    return [s for s in builtin_specs("learnable") if s.name in CHANNEL_PARAMS]


def cases() -> list[str]:
    """Every case this script runs, named ``check[activation]``."""
    out = []
    for s in builtin_specs(*POINTWISE_KINDS):
        out += [f"{c}[{s.name}]" for c in POINTWISE_CHECKS]
    out += [f"pointwise-channel[{s.name}]" for s in _channel_specs()]
    for s in builtin_specs("axis"):
        out += [f"{c}[{s.name}]" for c in AXIS_CHECKS]
        if "where" in s.params:
            out.append(f"axis-sharded-mask[{s.name}]")
    out += [f"{m}-mlp" for m in _layer_modules()]
    return out


# --------------------------------------------------------------------------- #
# helpers (only used in the subprocess)
# --------------------------------------------------------------------------- #


def _fmt(e: BaseException) -> str:
    tb = traceback.format_exception(type(e), e, e.__traceback__)
    return f"{type(e).__name__}: {e}\n{''.join(tb[-4:])}"


def _mesh(explicit: bool):
    import jax
    from jax.sharding import AxisType

    kind = AxisType.Explicit if explicit else AxisType.Auto
    return jax.make_mesh(MESH_SHAPE, AXES, axis_types=(kind, kind))


def _put(x, mesh, *spec):
    import jax
    from jax.sharding import NamedSharding, PartitionSpec as P

    return jax.device_put(x, NamedSharding(mesh, P(*spec)))


def _found(text: str) -> list[str]:
    return [c for c in COLLECTIVES if c in text]


# sparsemax / entmax15 find their threshold by an iteration that stops when no row changes: with the batch
# sharded, that stop flag (a scalar) is reduced across devices once per pass.  Nothing array-sized moves.
ITERATIVE = ("sparsemax", "entmax15")


def _found_arrays(text: str) -> list[str]:
    """Collectives whose result is not a scalar (or a tuple of scalars)."""
    out = []
    for line in text.splitlines():
        m = re.search(r"= (\(.*?\)|\S+) (" + "|".join(COLLECTIVES) + r")(-start|-done)?\(", line)
        if m and not re.fullmatch(r"\(?(\w+\[\](\{\})?(, )?)+\)?", m.group(1)):
            out.append(m.group(2))
    return out


def _same_sharding(a, b) -> bool:
    return a.sharding.is_equivalent_to(b.sharding, a.ndim)


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    x.flat[:4] = [0.0, -0.0, 0.5, -2.0]
    return x


def _fn(spec, **extra):
    kw = {**call_kwargs(spec), **extra}
    return lambda *a: spec.fn(*a, **kw)


def _ulp_close(got, want, what, ulps=2):
    """Equal up to ``ulps`` float32 ULP (XLA may vectorize a shard's loop differently)."""
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    same_nan = np.isnan(got) & np.isnan(want)
    err = np.where(same_nan | (got == want), 0.0, np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want)))
    if not np.all(err <= ulps):
        i = tuple(np.argwhere(~(err <= ulps))[0])
        raise AssertionError(f"{what}: differs from the unsharded result at {i}: {got[i]!r} vs {want[i]!r}")


def _close(got, want, what, rtol=2e-6, atol=1e-6):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def _batch(fns: dict[str, Callable[..., Any]], args: tuple, errors: dict[str, str], *, collectives: bool = False):
    """Compile one program running every ``fns`` entry on ``args``.

    Returns ``({name: output}, {name: collectives found})``.  A function that fails
    to trace is recorded in ``errors`` and left out; with ``collectives`` the
    compiled HLO is searched, per function only when the whole program has some.
    """
    import jax

    ok = {}
    for n, f in fns.items():
        try:
            jax.eval_shape(f, *args)
            ok[n] = f
        except Exception as e:
            errors[n] = _fmt(e)
    compiled = jax.jit(lambda *a: {n: f(*a) for n, f in ok.items()}).lower(*args).compile()
    outs = compiled(*args)
    found: dict[str, list[str]] = {}
    if collectives and _found(compiled.as_text()):
        for n, f in ok.items():
            found[n] = _found(jax.jit(f).lower(*args).compile().as_text())
    return outs, found


def _record(results: dict[str, str], check: str, names, errors: dict[str, str], verify: Callable[[str], None]) -> None:
    for n in names:
        key = f"{check}[{n}]"
        if n in errors:
            results[key] = errors[n]
            continue
        try:
            verify(n)
            results[key] = "ok"
        except Exception as e:
            results[key] = _fmt(e)


# --------------------------------------------------------------------------- #
# checks, one group of activations at a time
# --------------------------------------------------------------------------- #


def check_pointwise(results: dict[str, str]) -> None:
    """Sharded in -> same sharding out, no collectives, equal to the unsharded result."""
    import jax

    specs = builtin_specs(*POINTWISE_KINDS)
    fns = {s.name: _fn(s) for s in specs}
    x = _data((8, 16))
    base_err: dict[str, str] = {}
    want, _ = _batch(fns, (x,), base_err)
    for explicit in (False, True):
        xs = _put(x, _mesh(explicit), "data", "model")
        errors = dict(base_err)
        outs, found = _batch(fns, (xs,), errors, collectives=True)

        def verify(n, outs=outs, found=found, xs=xs):
            assert not found.get(n), f"compiled HLO has collectives {found[n]}"
            assert _same_sharding(outs[n], xs), f"output sharding {outs[n].sharding} != input {xs.sharding}"
            _ulp_close(outs[n], want[n], "jit")

        _record(results, "pointwise-explicit" if explicit else "pointwise-auto", fns, errors, verify)

    # eager calls (the library's own jit) on a sharded array
    xs = _put(x, _mesh(False), "data", "model")

    def eager(n):
        assert n not in base_err, base_err.get(n)
        y = fns[n](xs)
        assert _same_sharding(y, xs), f"eager output sharding {y.sharding} != input {xs.sharding}"
        _ulp_close(y, want[n], "eager")

    _record(results, "pointwise-eager", fns, {}, eager)

    # the random path: a key, not deterministic -- same draw sharded or not (threefry is partitionable)
    for s in specs:
        if s.kind == "random" and "key" in s.params and results.get(f"pointwise-auto[{s.name}]") == "ok":
            try:
                g = _fn(s, key=jax.random.key(0), deterministic=False)
                out, found = _batch({s.name: g}, (xs,), {}, collectives=True)
                assert not found.get(s.name), f"random path: compiled HLO has collectives {found[s.name]}"
                assert _same_sharding(out[s.name], xs), f"random path: output sharding {out[s.name].sharding}"
                _ulp_close(out[s.name], g(x), "random path")
            except Exception as e:
                results[f"pointwise-auto[{s.name}]"] = _fmt(e)

    # the backward pass needs no collectives either
    g = _data((8, 16), seed=1)
    gs = _put(g, _mesh(False), "data", "model")
    backs = {n: (lambda x, g, f=f: jax.vjp(f, x)[1](g)[0]) for n, f in fns.items()}
    errors: dict[str, str] = {}
    bwant, _ = _batch(backs, (x, g), errors)
    bouts, found = _batch(backs, (xs, gs), errors, collectives=True)

    def verify_vjp(n):
        assert not found.get(n), f"backward HLO has collectives {found[n]}"
        assert _same_sharding(bouts[n], xs), f"cotangent sharding {bouts[n].sharding} != {xs.sharding}"
        _ulp_close(bouts[n], bwant[n], "vjp")

    _record(results, "pointwise-vjp", fns, errors, verify_vjp)


def check_channel(results: dict[str, str]) -> None:
    """Per-channel learnable parameters sharded like the channels: still no collectives."""
    specs = _channel_specs()
    x = _data((8, 16))
    mesh = _mesh(False)
    rng = np.random.default_rng(4)
    params = {
        s.name: {
            k: np.float32(s.params[k]) + rng.uniform(0.1, 0.5, 16).astype(np.float32) for k in CHANNEL_PARAMS[s.name]
        }
        for s in specs
    }
    fns = {s.name: (lambda x, p, s=s: s.fn(x, **p)) for s in specs}
    errors: dict[str, str] = {}
    want, _ = _batch({n: (lambda x, f=f, n=n: f(x, params[n])) for n, f in fns.items()}, (x,), errors)
    xs = _put(x, mesh, "data", "model")
    ps = {n: {k: _put(v, mesh, "model") for k, v in p.items()} for n, p in params.items()}
    outs, found = _batch(
        {n: (lambda x, p, f=f, n=n: f(x, p[n])) for n, f in fns.items()}, (xs, ps), errors, collectives=True
    )

    def verify(n):
        assert not found.get(n), f"compiled HLO has collectives {found[n]}"
        assert _same_sharding(outs[n], xs), f"output sharding {outs[n].sharding} != input {xs.sharding}"
        _ulp_close(outs[n], want[n], "per-channel")

    _record(results, "pointwise-channel", fns, errors, verify)


def check_shard_map_and_pmap(results: dict[str, str]) -> None:
    import jax
    import jax.numpy as jnp
    from jax.sharding import PartitionSpec as P

    mesh = _mesh(False)
    point = {s.name: _fn(s) for s in builtin_specs(*POINTWISE_KINDS)}
    axis = {s.name: _fn(s, axis=-1) for s in builtin_specs("axis")}
    for fns, x, spec in (
        (point, _data((8, 16)), P("data", "model")),
        (axis, _data((4, 8, 16)), P("data", "model", None)),
    ):
        errors: dict[str, str] = {}
        want, _ = _batch(fns, (x,), errors)
        w = {n: _data(v.shape, seed=2) for n, v in want.items()}  # cotangents that do not sum to zero on softmax rows
        sm = {n: jax.shard_map(f, mesh=mesh, in_specs=spec, out_specs=spec) for n, f in fns.items() if n not in errors}
        got, _ = _batch(sm, (x,), errors)
        grads = {n: jax.grad(lambda v, f=f, n=n, w=w: jnp.sum(f(v) * w[n])) for n, f in sm.items()}
        gwant, _ = _batch({n: jax.grad(lambda v, f=fns[n], n=n, w=w: jnp.sum(f(v) * w[n])) for n in sm}, (x,), errors)
        ggot, _ = _batch(grads, (x,), errors)

        def verify(n, got=got, want=want, ggot=ggot, gwant=gwant):
            (_ulp_close if n in point else _close)(got[n], want[n], "jax.shard_map")
            _close(ggot[n], gwant[n], "grad through jax.shard_map")

        _record(results, "shard_map", fns, errors, verify)

        xp = x.reshape(8, -1, x.shape[-1])
        errors = {}
        pwant, _ = _batch(fns, (xp,), errors)
        pgot = {}
        for n, f in fns.items():
            if n in errors:
                continue
            try:
                pgot[n] = jax.pmap(f)(xp)
            except Exception as e:
                errors[n] = _fmt(e)

        def verify_pmap(n, pgot=pgot, pwant=pwant):
            (_ulp_close if n in point else _close)(pgot[n], pwant[n], "jax.pmap")

        _record(results, "pmap", fns, errors, verify_pmap)

    # random activations draw inside shard_map with a replicated key
    for s in builtin_specs("random"):
        if "key" not in s.params or results.get(f"shard_map[{s.name}]") != "ok":
            continue
        try:
            x = _data((8, 16))

            def draw(v, k, s=s):
                return s.fn(v, **call_kwargs(s), key=k, deterministic=False)

            out = np.asarray(
                jax.jit(
                    jax.shard_map(draw, mesh=mesh, in_specs=(P("data", "model"), P()), out_specs=P("data", "model"))
                )(x, jax.random.key(0))
            )
            lo, hi = s.params.get("lower", 1 / 8), s.params.get("upper", 1 / 3)
            neg = x < 0
            ratio = out[neg] / x[neg]
            assert np.all((ratio >= lo * (1 - 1e-6)) & (ratio <= hi * (1 + 1e-6))), (
                "random slope outside [lower, upper]"
            )
            assert np.array_equal(out[~neg], x[~neg]), "non-negative inputs changed"
        except Exception as e:
            results[f"shard_map[{s.name}]"] = _fmt(e)


def check_axis(results: dict[str, str]) -> None:
    """Unsharded reduction axis: no collectives.  Sharded axis: right answer."""
    specs = {s.name: s for s in builtin_specs("axis")}
    x3 = _data((4, 8, 16))
    for explicit in (False, True):
        mesh = _mesh(explicit)
        fns = {n: _fn(s, axis=-1) for n, s in specs.items()}
        errors: dict[str, str] = {}
        want, _ = _batch(fns, (x3,), errors)
        xs = _put(x3, mesh, "data", "model", None)
        outs, found = _batch(fns, (xs,), errors, collectives=True)

        def verify(n, outs=outs, found=found, want=want, xs=xs, explicit=explicit, fns=fns):
            if n in ITERATIVE:  # only the scalar stop flag of the threshold iteration may be reduced
                import jax

                text = jax.jit(fns[n]).lower(xs).compile().as_text()
                assert not _found_arrays(text), f"explicit={explicit}: array-sized collectives {_found_arrays(text)}"
            else:
                assert not found.get(n), f"explicit={explicit}: compiled HLO has collectives {found[n]}"
            if n != "glu":  # glu halves the axis, so its output cannot carry the input's sharding object
                assert _same_sharding(outs[n], xs), f"output sharding {outs[n].sharding} != {xs.sharding}"
            _close(outs[n], want[n], f"explicit={explicit}")

        prev = {k: v for k, v in results.items() if k.startswith("axis-unsharded")}
        _record(results, "axis-unsharded", fns, errors, verify)
        for k, v in prev.items():  # keep the first failure
            if v != "ok":
                results[k] = v

    x = _data((8, 16))
    for explicit in (False, True):
        mesh = _mesh(explicit)
        check = "axis-sharded-explicit" if explicit else "axis-sharded-auto"
        errors = {}
        layouts = ((1, ("data", "model")), (0, ("data", "model")))
        per = {}
        for axis, layout in layouts:
            fns = {n: _fn(s, axis=axis) for n, s in specs.items()}
            want, _ = _batch(fns, (x,), errors)
            xs = _put(x, mesh, *layout)
            outs, _ = _batch(fns, (xs,), errors)
            per[axis] = (want, outs)

        def verify(n, per=per, explicit=explicit):
            for axis, (want, outs) in per.items():
                _close(outs[n], want[n], f"axis={axis} sharded vs unsharded")
                ref = reference(specs[n], x, axis=axis)
                if ref is not None:
                    _close(outs[n], ref, f"axis={axis} vs float64 reference", rtol=1e-5, atol=1e-6)

        _record(results, check, specs, errors, verify)

    # masks sharded like the input (where=)
    masked = {n: s for n, s in specs.items() if "where" in s.params}
    mask = np.random.default_rng(3).random((8, 16)) > 0.3
    mask[0] = False  # a fully masked row
    fns = {n: (lambda v, m, s=s: s.fn(v, **call_kwargs(s), where=m)) for n, s in masked.items()}
    errors = {}
    want, _ = _batch(fns, (x, mask), errors)
    mesh = _mesh(False)
    outs, _ = _batch(fns, (_put(x, mesh, "data", "model"), _put(mask, mesh, "data", "model")), errors)

    def verify_mask(n):
        _close(outs[n], want[n], "masked, sharded vs unsharded")
        got = np.asarray(outs[n])
        assert np.all(np.isfinite(got[1:][mask[1:]])), "non-finite value at an unmasked position"

    _record(results, "axis-sharded-mask", masked, errors, verify_mask)


def check_layers(results: dict[str, str]) -> None:
    for m in _layer_modules():
        try:
            globals()[f"check_{m}_mlp"]()
            results[f"{m}-mlp"] = "ok"
        except Exception as e:
            results[f"{m}-mlp"] = _fmt(e)


def main(argv: list[str]) -> int:
    import jax

    assert jax.device_count() == 8, f"expected 8 fake CPU devices, got {jax.devices()}"
    results: dict[str, str] = {}
    times = {}
    failed = []
    for group in (check_pointwise, check_channel, check_shard_map_and_pmap, check_axis, check_layers):
        t0 = time.perf_counter()
        try:
            group(results)
        except Exception as e:
            failed.append(f"{group.__name__} failed: {_fmt(e)}")
        times[group.__name__] = time.perf_counter() - t0
    for case in cases():
        results.setdefault(case, "not run; " + "\n".join(failed))
    with open(argv[1], "w") as fh:
        json.dump(results, fh, indent=1)
    bad = [k for k, v in results.items() if v != "ok"]
    print(f"{len(results) - len(bad)}/{len(results)} multi-device cases ok", *bad, sep="\n  ")
    print("seconds:", ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    return 0


# --------------------------------------------------------------------------- #
# Flax: partitioned learnable parameters in a data + model parallel MLP
# --------------------------------------------------------------------------- #


def _mlp_data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 5)).astype(np.float32), rng.standard_normal((8, 1)).astype(np.float32)


def _spec_of(arr) -> tuple:
    """The PartitionSpec of an array's sharding, trailing Nones dropped."""
    spec = tuple(arr.sharding.spec)
    while spec and spec[-1] is None:
        spec = spec[:-1]
    return spec


def check_linen_mlp() -> None:
    """Dense + PReLU + Snake + Dice with ``nn.with_partitioning``; a jitted SGD step on the mesh."""
    import flax.linen as nn
    import jax
    import jax.numpy as jnp
    import optax
    from jax.sharding import NamedSharding, PartitionSpec as P

    import jax_activations.linen as jl

    part, init = nn.with_partitioning, nn.initializers

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool = True):
            x = nn.Dense(
                16, kernel_init=part(init.lecun_normal(), (None, "model")), bias_init=part(init.zeros, ("model",))
            )(x)
            x = jl.PReLU(negative_slope_init=part(init.constant(0.25), ("model",)))(x)
            x = nn.Dense(16, kernel_init=part(init.lecun_normal(), ("model", None)))(x)
            x = jl.Snake(alpha_init=part(init.constant(0.7), ("model",)))(x)
            x = jl.Dice(alpha_init=part(init.constant(0.1), ("model",)))(x, use_running_average=not train)
            x = jl.Activation("gelu")(x)
            return nn.Dense(1)(x)

    model, tx = MLP(), optax.sgd(0.1)
    x, y = _mlp_data()

    def loss_fn(params, stats, x, y):
        out, upd = model.apply({"params": params, "batch_stats": stats}, x, mutable=["batch_stats"])
        return jnp.mean((out - y) ** 2), (upd["batch_stats"], out)

    def step(params, stats, opt, x, y):
        (loss, (stats, out)), g = jax.value_and_grad(loss_fn, has_aux=True)(params, stats, x, y)
        upd, opt = tx.update(g, opt, params)
        return optax.apply_updates(params, upd), stats, opt, loss, out

    # single device
    v = nn.unbox(model.init(jax.random.key(0), x))
    p1, s1, o1 = v["params"], v["batch_stats"], tx.init(v["params"])
    for _ in range(3):
        p1, s1, o1, loss1, out1 = jax.jit(step)(p1, s1, o1, x, y)

    # sharded: parameters placed as annotated, batch over "data"
    mesh = _mesh(False)
    boxed = jax.eval_shape(lambda: model.init(jax.random.key(0), x))
    shard = jax.tree.map(
        lambda s: NamedSharding(mesh, s), nn.get_partition_spec(boxed), is_leaf=lambda s: isinstance(s, P)
    )
    v = jax.jit(lambda: nn.unbox(model.init(jax.random.key(0), x)), out_shardings=shard)()
    p, s = v["params"], v["batch_stats"]
    o = tx.init(p)
    xs, ys = _put(x, mesh, "data", None), _put(y, mesh, "data", None)
    for _ in range(3):
        p, s, o, loss, out = jax.jit(step)(p, s, o, xs, ys)
    want = {"PReLU_0": ("model",), "Snake_0": ("model",), "Dice_0": ("model",)}
    for layer, spec in want.items():
        for name, arr in p[layer].items():
            assert _spec_of(arr) == spec, f"{layer}.{name} sharded as {arr.sharding.spec}, annotated {spec}"
    assert _spec_of(p["Dense_0"]["kernel"]) == (None, "model"), p["Dense_0"]["kernel"].sharding
    assert _spec_of(out) == ("data",), f"output sharding {out.sharding.spec}"
    _close(loss, loss1, "loss after 3 steps", rtol=1e-5)
    _close(out, out1, "outputs after 3 steps", rtol=1e-5, atol=1e-5)
    jax.tree.map(lambda a, b: _close(a, b, "parameters after 3 steps", rtol=1e-5, atol=1e-6), p, p1)
    jax.tree.map(lambda a, b: _close(a, b, "batch_stats after 3 steps", rtol=1e-5, atol=1e-6), s, s1)
    # inference with running averages, sharded vs not
    ev = jax.jit(lambda p, s, x: model.apply({"params": p, "batch_stats": s}, x, train=False))
    _close(ev(p, s, xs), ev(p1, s1, x), "eval outputs", rtol=1e-5, atol=1e-6)


def check_nnx_mlp() -> None:
    """The same model in NNX, parameters carrying sharding metadata; nnx.jit train step."""
    import flax.nnx as nnx
    import jax
    import jax.numpy as jnp
    import optax

    import jax_activations.nnx as jn

    part, init = nnx.with_partitioning, nnx.initializers

    class MLP(nnx.Module):
        def __init__(self, rngs):
            self.d0 = nnx.Linear(
                5,
                16,
                kernel_init=part(init.lecun_normal(), (None, "model")),
                bias_init=part(init.zeros, ("model",)),
                rngs=rngs,
            )
            self.act0 = jn.PReLU(negative_slope_init=part(init.constant(0.25), ("model",)), in_features=16, rngs=rngs)
            self.d1 = nnx.Linear(16, 16, kernel_init=part(init.lecun_normal(), ("model", None)), rngs=rngs)
            self.act1 = jn.Snake(alpha_init=part(init.constant(0.7), ("model",)), in_features=16, rngs=rngs)
            self.act2 = jn.Dice(alpha_init=part(init.constant(0.1), ("model",)), in_features=16, rngs=rngs)
            self.d2 = nnx.Linear(16, 1, rngs=rngs)

        def __call__(self, x, train: bool = True):
            x = self.act0(self.d0(x))
            x = self.act2(self.act1(self.d1(x)), use_running_average=not train)
            return self.d2(jax.nn.gelu(x, approximate=False))

    x, y = _mlp_data()

    def loss_fn(model, x, y):
        out = model(x)
        return jnp.mean((out - y) ** 2), out

    @nnx.jit
    def step(model, opt, x, y):
        (loss, out), g = nnx.value_and_grad(loss_fn, has_aux=True)(model, x, y)
        opt.update(model, g)
        return loss, out

    def run(mesh):
        # NNX creates annotated variables already sharded on the current mesh
        with jax.set_mesh(mesh):
            model = MLP(nnx.Rngs(0))
            opt = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
            xs, ys = _put(x, mesh, "data", None), _put(y, mesh, "data", None)
            for _ in range(3):
                loss, out = step(model, opt, xs, ys)
        return model, loss, out

    import jax.sharding as shd

    one = jax.make_mesh((1, 1), AXES, axis_types=(shd.AxisType.Auto,) * 2, devices=jax.devices()[:1])
    m1, loss1, out1 = run(one)
    mesh = _mesh(False)
    m, loss, out = run(mesh)
    checked = 0
    for layer in ("act0", "act1", "act2"):
        for name, var in nnx.state(getattr(m, layer), nnx.Param).items():
            arr = var[...]
            assert _spec_of(arr) == ("model",), f"{layer}.{name} sharded as {arr.sharding}, annotated ('model',)"
            checked += 1
    assert checked == 3, f"expected 3 learnable activation parameters, found {checked}"
    assert _spec_of(m.d0.kernel[...]) == (None, "model"), m.d0.kernel[...].sharding
    _close(loss, loss1, "loss after 3 steps", rtol=1e-5)
    _close(out, out1, "outputs after 3 steps", rtol=1e-5, atol=1e-5)
    s1, s = nnx.state(m1), nnx.state(m)
    jax.tree.map(lambda a, b: _close(a, b, "state after 3 steps", rtol=1e-5, atol=1e-6), s, s1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
