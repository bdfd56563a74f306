"""Smoke tests of the benchmark plumbing (no timing assertions: timings are not tested)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys

import jax
import jax.numpy as jnp
import pytest

import jax_activations as ja
from jax_activations import _speed

BENCH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def memory():
    return _load("memory")


@pytest.fixture(scope="module")
def speed():
    return _load("speed")


@pytest.fixture(scope="module")
def eager():
    return _load("eager")


def _registered(*names: str) -> list[str]:
    have = set(ja.names())
    return [n for n in names if n in have]


def test_cases_cover_registry():
    labels = {c.name for c in _speed.cases()}
    wanted = {s.name for s in ja.specs() if s.kind in ("elementwise", "axis")}
    required = {s.name for s in ja.specs() if s.kind in ("elementwise", "axis") and _speed._required_params(s)}
    assert wanted - required <= labels
    for c in _speed.cases():
        if c.name in ("relu", "elu", "softmax", "gelu", "leaky_relu"):
            assert c.baseline_is_jax_nn, c


def test_baseline_config_matches_ours():
    # the jax.nn baseline is configured as our default (leaky slope 0.2, exact gelu), checked on values
    x = jnp.linspace(-3.0, 3.0, 64)
    for c in _speed.cases(_registered("leaky_relu", "gelu", "elu", "relu", "squareplus")):
        assert jnp.allclose(c.ours(x), c.baseline(x), rtol=1e-3, atol=1e-4), c.label


@pytest.mark.parametrize("mode", ["fwd", "fwd+bwd"])
@pytest.mark.parametrize("buffer", ["fresh", "donated"])
def test_program_gives_the_right_numbers(mode, buffer):
    x = _speed.sample_input("elementwise", 256, jnp.float32)
    call = _speed.program(jnp.sin, mode, buffer, x)
    out = call()
    want = jnp.sin(x) if mode == "fwd" else jnp.cos(x)
    assert jnp.allclose(out, want, rtol=1e-5, atol=1e-6)
    if buffer == "donated":  # the result lands in the same, reused buffer
        assert call().unsafe_buffer_pointer() == call().unsafe_buffer_pointer()


def test_measure_and_quick_table_rows():
    rows, md = _speed.quick_table(
        ["elu"],
        sizes=[1024],
        modes=["fwd", "fwd+bwd"],
        buffers=["fresh", "donated"],
        dtypes=["float32", "bfloat16"],
        repeats=2,
    )
    assert len(rows) == 16 and {r["case"] for r in rows} == {"elu", "elu(lean=True)"}  # the lean variant too
    for r in rows:
        assert r["ours_ms"] > 0 and r["roofline_ms"] > 0 and r["ours/baseline"] > 0
        assert r["baseline"] == "jax.nn.elu"
    assert md.count("\n") == len(rows) + 1 and "| elu |" in md


def test_axis_case_runs_on_rows():
    names = _registered("softmax")
    if not names:
        pytest.skip("softmax is not registered yet")
    (case,) = _speed.cases(names)
    x = _speed.sample_input(case.kind, 4096, jnp.float32)
    assert x.shape == (4, 1024)
    row = _speed.measure(case, size=4096, mode="fwd+bwd", repeats=1)
    assert row["kind"] == "axis"


def test_speed_script_quick_run(speed, tmp_path):
    rows = speed.run(["elu"], sizes=[1024], dtypes=["float32"], buffers=["fresh"], repeats=1, use_torch=False)
    assert {r["mode"] for r in rows} == {"fwd", "fwd+bwd"}
    assert "elu" in speed.summary(rows)
    assert speed.chart(rows, tmp_path / "c.png") and (tmp_path / "c.png").stat().st_size > 1000


def test_speed_script_main_writes_results(speed, tmp_path):
    speed.main(
        [
            "--names",
            "elu",
            "--sizes",
            "10",
            "--dtypes",
            "float32",
            "--buffers",
            "fresh",
            "--repeats",
            "1",
            "--no-torch",
            "--out",
            str(tmp_path),
        ]
    )
    res = json.loads((tmp_path / "speed.json").read_text())
    assert res["rows"] and res["environment"]["jax"] == jax.__version__
    assert (tmp_path / "speed.md").exists() and (tmp_path / "speed.png").exists()
    (tmp_path / "speed.md").unlink()
    speed.main(["--render", str(tmp_path / "speed.json")])
    assert "ours / jax.nn per activation" in (tmp_path / "speed.md").read_text()


def test_torch_builder_without_torch(speed):
    (case,) = _speed.cases(["elu"], variants=False)
    assert speed.torch_builder(None, case, "fwd") is None


def test_saved_residuals_counts(memory):
    # jax.nn's tanh-form gelu saves several activation-sized arrays; an output-only rule saves one
    many = memory.saved_residuals(jax.nn.gelu)
    assert many["count"] >= 3 and many["bytes"] >= 3 * 4096
    one = memory.saved_residuals(jax.nn.sigmoid)
    assert one["count"] == 1 and one["bytes"] == 4096
    for name in _registered("softplus", "elu", "exponential"):
        got = memory.saved_residuals(ja.get(name))
        assert got["count"] == 1, (name, got)


def test_mlp_temp_bytes_tiny(memory):
    kw = {"batch": 64, "width": 32, "layers": 3}
    ident = memory.mlp_temp_bytes(lambda h: h, **kw)
    elu_nn = memory.mlp_temp_bytes(jax.nn.elu, **kw)
    elu_ours = memory.mlp_temp_bytes(ja.elu, **kw)
    assert 0 < ident <= elu_ours <= elu_nn


def test_memory_run_tiny(memory):
    res = memory.run(["elu"], batch=256, width=128, layers=3)
    row, lean = res["rows"]
    assert row["case"] == "elu" and row["ours_residuals"]["count"] == 1
    assert row["ours_extra_per_layer"] <= row["baseline_extra_per_layer"]
    assert lean["case"] == "elu(lean=True)" and lean["ours_extra_per_layer"] == 0.0 and lean["meets_bar"]
    assert "| elu |" in memory.markdown(res["rows"])


def test_eager_functions_tiny(eager):
    (case,) = _speed.cases(["elu"], variants=False)
    lat = eager.eager_latency(case, n=1024, repeats=1, target_s=1e-4)
    assert lat["ours_us"] > 0 and lat["baseline_us"] > 0 and lat["roofline_us"] > 0
    comp = eager.compile_times(case, repeats=1)
    assert comp["ours_fwd_ms"] > 0 and comp["baseline_fwd+bwd_ms"] > 0
    assert "| elu |" in eager.markdown([{"case": "elu", "baseline": "jax.nn.elu", **lat, **comp}])


def test_grad_seed_is_a_runtime_argument():
    # forward+backward programs take the cotangent seed as an argument: no full-size constant to fold
    x = jax.ShapeDtypeStruct((1 << 12,), jnp.bfloat16)
    g = jax.jit(_speed.grad_of_sum(jax.nn.log_softmax))
    text = g.lower(x, jax.ShapeDtypeStruct((), jnp.float32)).as_text()
    assert "4096xbf16> = stablehlo.constant" not in text
    assert jnp.allclose(g(jnp.zeros(4, jnp.float32), jnp.float32(2.0)), 0.0, atol=1e-6)
    assert jnp.allclose(jax.jit(_speed.grad_of_sum(jnp.sin))(jnp.zeros(3), jnp.float32(2.0)), 2.0)
