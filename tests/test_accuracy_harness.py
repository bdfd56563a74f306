"""Tests of the accuracy harness itself (jax_activations._accuracy) on a tiny grid.

The harness must be able to fail: deliberately wrong implementations of
sigmoid' and of the tanh-form gelu are fed to it and must be reported above the
bar, and ``meets_bar`` must name them.
"""

from __future__ import annotations

import json
import math

import _bars
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

import jax_activations as ja
from jax_activations import _accuracy as acc
from jax_activations.reference import ROWS, Row
from jax_activations.reference.ulp import hull, ulp_error

TINY = dict(n_log=240, n_lin=241)  # a tiny grid: 240 log-spaced points over the whole range, 241 in [-30, 30]
F32_TINY = float(np.finfo(np.float32).tiny)


# --------------------------------------------------------------------------- #
# The ULP metric on hand-made cases
# --------------------------------------------------------------------------- #


def test_ulp_error_counts_float32_spacings():
    one = np.float32(1.0)
    up = [np.float64(np.nextafter(one, np.float32(2)))]
    assert ulp_error(np.array([1.0]), np.array([1.0]))[0] == 0
    assert ulp_error(np.array(up), np.array([1.0]))[0] == pytest.approx(1.0)
    three_up = np.float32(1.0) + 3 * np.finfo(np.float32).eps
    assert ulp_error(np.array([three_up], np.float64), np.array([1.0]))[0] == pytest.approx(3.0)
    # the unit is the spacing at the reference: one float32 step below 1.0 is half of 1.0's spacing
    below = np.float64(np.nextafter(one, np.float32(0)))
    assert ulp_error(np.array([below]), np.array([1.0]))[0] == pytest.approx(0.5)


def test_ulp_error_hull_forgives_only_inside_the_interval():
    lo, hi = np.array([1.0]), np.array([1.0 + 4 * 2.0**-23])
    assert ulp_error(np.array([1.0 + 2 * 2.0**-23]), lo, hi)[0] == 0
    assert ulp_error(np.array([1.0 + 6 * 2.0**-23]), lo, hi)[0] == pytest.approx(2.0)


def test_ulp_error_non_finite_and_subnormal_rules():
    # a non-finite result where the reference is finite is infinitely wrong
    assert math.isinf(ulp_error(np.array([np.nan]), np.array([1.0]))[0])
    assert math.isinf(ulp_error(np.array([np.inf]), np.array([1.0]))[0])
    # NaN where the reference is NaN, and inf where the reference overflows float32, are exact
    assert ulp_error(np.array([np.nan]), np.array([np.nan]))[0] == 0
    assert ulp_error(np.array([np.inf]), np.array([1e39]))[0] == 0
    # absolute errors up to the smallest normal count as exact (XLA CPU flushes subnormals)
    assert ulp_error(np.array([0.0]), np.array([F32_TINY]))[0] == 0
    assert ulp_error(np.array([0.0]), np.array([3 * F32_TINY]))[0] > 1e6


def test_half_precision_error_is_against_the_correctly_rounded_value():
    x = np.float64(1.0) + 2.0**-12  # halfway-ish between float16 neighbours 1 and 1 + 2**-10
    rounded = float(np.float16(x))
    assert ulp_error(np.array([rounded]), np.array([x]), dtype=np.float16)[0] == 0
    off = float(np.nextafter(np.float16(rounded), np.float16(2)))
    assert ulp_error(np.array([off]), np.array([x]), dtype=np.float16)[0] == pytest.approx(0.75)


def test_record_max_p99_and_worst_point():
    err = np.zeros(1000)
    err[:20] = 5.0  # 2 % of the points at 5 ULP: the 99th percentile sees them
    err[500] = 9.0
    x = np.arange(1000.0)
    rec = acc._record("f", {}, "jax_activations", "float32", "grad", x, x, x, err)
    assert (rec["max_ulp"], rec["p99_ulp"], rec["n"], rec["worst_x"]) == (9.0, 5.0, 1000, 500.0)
    assert rec["bar"] == acc.GRAD_BAR and rec["nonfinite"] == 0


# --------------------------------------------------------------------------- #
# The harness can fail: deliberately bad implementations are flagged
# --------------------------------------------------------------------------- #


def _sigmoid64(x):
    return special.expit(x)


def _dsigmoid64(x):
    return special.expit(x) * special.expit(-x)  # s(x) s(-x): no cancellation


SIGMOID = Row(
    "sigmoid_under_test",
    lambda x: _sigmoid64(x),
    df=lambda x: _dsigmoid64(x),
    d2f=lambda x: _dsigmoid64(x) * np.tanh(-x / 2),
)

_C = math.sqrt(2 / math.pi)


def _gelu_tanh64(x):
    u = _C * (x + 0.044715 * x**3)
    return x * special.expit(2 * u)  # 0.5 (1 + tanh u) = sigmoid(2u), exact in the negative tail


GELU_TANH = Row("gelu_tanh_under_test", _gelu_tanh64)


@jax.custom_jvp
def _bad_sigmoid(x):
    return 1 / (1 + jnp.exp(-x))


@_bad_sigmoid.defjvp
def _bad_sigmoid_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    s = _bad_sigmoid(x)
    return s, s * (1 - s) * t  # the textbook form: 1 - s is 0 for x > 16.6


@jax.custom_jvp
def _good_sigmoid(x):
    return jax.nn.sigmoid(x)


@_good_sigmoid.defjvp
def _good_sigmoid_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _good_sigmoid(x), _good_sigmoid(x) * _good_sigmoid(-x) * t


def _bad_gelu_tanh(x):
    return 0.5 * x * (1 + jnp.tanh(_C * (x + 0.044715 * x**3)))  # 1 + tanh cancels for x < -5.5


def _records(results, quantity, dtype="float32"):
    (rec,) = [r for r in results if r["quantity"] == quantity and r["dtype"] == dtype]
    return rec


def test_textbook_sigmoid_derivative_is_reported_above_the_bar():
    res = acc.measure_impl(_bad_sigmoid, SIGMOID, dtypes=("float32",), **TINY)
    grad = _records(res, "grad")
    assert grad["max_ulp"] > 1e6, grad
    assert grad["worst_x"] > 16, grad  # the tail where 1 - s rounds to 0
    fails = acc.meets_bar(res)
    assert any("sigmoid_under_test float32 grad" in f for f in fails), fails


def test_stable_sigmoid_derivative_meets_the_bar():
    res = acc.measure_impl(_good_sigmoid, SIGMOID, dtypes=("float32",), **TINY)
    grad = _records(res, "grad")
    assert grad["max_ulp"] <= acc.GRAD_BAR, grad
    assert not [f for f in acc.meets_bar(res) if "grad " in f + " "]


def test_tanh_form_gelu_with_one_plus_tanh_is_reported_above_the_bar():
    res = acc.measure_impl(_bad_gelu_tanh, GELU_TANH, dtypes=("float32",), **TINY)
    value = _records(res, "value")
    assert value["max_ulp"] > 1e6 and value["worst_x"] < -4, value  # the negative tail
    fails = acc.meets_bar(res)
    assert any(f.startswith("gelu_tanh_under_test float32 value") for f in fails), fails


def test_non_finite_result_where_the_true_value_is_finite_fails():
    def naive_silu(x):
        return x * jax.nn.sigmoid(x)  # -inf * 0 = NaN at x = -inf

    row = Row("silu_under_test", lambda x: np.where(x == -np.inf, 0.0, x * special.expit(x)))  # silu(-inf) = 0
    res = acc.measure_impl(naive_silu, row, dtypes=("float32",), **TINY)
    value = _records(res, "value")
    assert math.isinf(value["max_ulp"]) and value["nonfinite"] >= 1 and value["worst_x"] == -np.inf
    (fail,) = acc.meets_bar(res)
    assert "non-finite" in fail


def test_half_precision_computed_in_low_precision_is_reported():
    # exp(-x) evaluated in float16 then 1/(1+e): double rounding, off by more than the 1 ULP bar
    def f16_sigmoid(x):
        e = jnp.exp(-x)
        return (jnp.ones_like(x) / (1 + e) * 1.001).astype(x.dtype)

    res = acc.measure_impl(f16_sigmoid, SIGMOID, dtypes=("float16",), **TINY)
    rec = _records(res, "value", "float16")
    assert rec["max_ulp"] > acc.HALF_BAR
    assert any("float16 value" in f for f in acc.meets_bar(res))


def test_axis_functions_are_measured_row_wise():
    def ref_softmax(x, axis=-1):
        z = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=axis, keepdims=True)

    row = Row("softmax_under_test", ref_softmax, kind="axis")
    good = acc.measure_impl(lambda x: jax.nn.softmax(x.astype(jnp.float32)).astype(x.dtype), row, dtypes=("float32",))
    (rec,) = good
    assert rec["n"] == sum(acc._QUICK.rows_per_length * n for n in acc._QUICK.lengths)
    # shifted softmax is finite everywhere; float32 rounding of x - max costs some ULP for wide rows
    assert rec["max_ulp"] < 1000 and rec["p99_ulp"] < 100, rec

    def unshifted(x):  # no max subtraction: exp overflows for the large logits
        e = jnp.exp(x)
        return e / e.sum(axis=-1, keepdims=True)

    (bad,) = acc.measure_impl(unshifted, row, dtypes=("float32",))
    assert math.isinf(bad["max_ulp"])
    assert acc.meets_bar([bad])


# --------------------------------------------------------------------------- #
# Bars, twins, outputs
# --------------------------------------------------------------------------- #


def test_bars_match_the_test_suite():
    assert (acc.VALUE_BAR, acc.GRAD_BAR, acc.SECOND_BAR, acc.HALF_BAR) == (
        _bars.VALUE_BAR,
        _bars.GRAD_BAR,
        _bars.SECOND_BAR,
        _bars.HALF_BAR,
    )
    for name in [*ja.names(), "tanh", "tanh_shrink", "dyt", "not_registered"]:
        if name in acc.ROW_SUM_BASED:  # axis functions: not in the elementwise suite's table (see the test below)
            continue
        assert acc.value_bar(name) == _bars.value_bar(name), name


def test_meets_bar_applies_to_our_rows_only_and_names_the_miss():
    base = dict(function="elu", params={"alpha": 2.0}, dtype="float32", quantity="grad", n=10, worst_x=-87.7)
    ours = {**base, "library": "jax_activations", "max_ulp": 9.0, "p99_ulp": 0.0, "worst_got": 0.0, "worst_ref": 1e-38}
    theirs = {**ours, "library": "jax.nn", "max_ulp": 1.7e7}
    assert acc.meets_bar([theirs]) == []
    (fail,) = acc.meets_bar([ours, theirs])
    assert "elu(alpha=2.0) float32 grad: 9 ULP > 8" in fail
    assert acc.meets_bar([{**ours, "max_ulp": 8.0}]) == []
    assert acc.meets_bar([{**ours, "max_ulp": float("nan")}])  # NaN never passes


def test_twins_take_our_parameters_explicitly_and_only_when_they_can():
    twin = acc._Twin(jax.nn.leaky_relu, {"negative_slope": acc._same("negative_slope")})
    merged = {"negative_slope": 0.2}
    assert acc._twin_call(twin, {}, merged) == {"negative_slope": 0.2}
    assert acc._twin_call(twin, {"negative_slope": 0.5}, {"negative_slope": 0.5}) == {"negative_slope": 0.5}
    assert acc._twin_call(acc._Twin(jax.nn.relu), {"max_value": 6.0}, {"max_value": 6.0}) is None


def test_twins_with_another_definition_are_left_out():
    exact = Row("gelu_exact_under_test", lambda x: 0.5 * x * special.erfc(-x / math.sqrt(2)))
    tanh_form = acc._Jax(lambda x: jax.nn.gelu(x, approximate=True))
    exact_form = acc._Jax(lambda x: jax.nn.gelu(x, approximate=False))
    assert not acc._definitions_agree(tanh_form, exact, {}, {})
    assert acc._definitions_agree(exact_form, exact, {}, {})


def test_half_grid_is_every_value_but_nan_and_flushed_subnormals():
    import ml_dtypes

    h = acc._half_grid(np.float16)
    assert h.size == 2**16 - 2 * 1023 - 1  # NaNs gone, -0 and +0 merge
    assert np.isinf(h).sum() == 2
    b = acc._half_grid(ml_dtypes.bfloat16).astype(np.float32)
    assert not np.any((b != 0) & (np.abs(b) < F32_TINY))


def test_measure_registered_function_and_reports(tmp_path):
    res = acc.measure(names=["elu"], dtypes=("float32", "bfloat16"), include=("jax_activations", "jax.nn"), quick=True)
    keys = {(r["library"], r["dtype"], r["quantity"]) for r in res}
    assert ("jax_activations", "float32", "value") in keys and ("jax.nn", "float32", "grad") in keys
    assert ("jax_activations", "bfloat16", "value") in keys
    for r in res:
        assert set(r) >= {"function", "params", "library", "dtype", "quantity", "max_ulp", "p99_ulp", "n", "worst_x"}
    jnn_grad = _records([r for r in res if r["library"] == "jax.nn"], "grad")
    assert jnn_grad["max_ulp"] > 1e6  # jax.nn's elu' is 0 below x = -17 (expm1's jvp uses y + 1)
    text = acc.to_json([*res, {**res[0], "max_ulp": float("inf")}])
    assert json.loads(text)[-1]["max_ulp"] == "inf"
    md = acc.to_markdown(res)
    assert md.count("\n| elu |") == 1 and "jax.nn grad" in md and "1.7e7" in md


def test_markdown_marks_misses():
    rec = dict(
        function="f", params={}, library="jax_activations", dtype="float32", quantity="value",
        max_ulp=12.0, p99_ulp=1.0, n=3, worst_x=1.0, worst_got=0.0, worst_ref=0.0,
    )  # fmt: skip
    md = acc.to_markdown([rec])
    assert "**12** ✗" in md and "Misses:\n- f float32 value: 12 ULP > 4" in md


def test_unknown_names_and_options_raise():
    with pytest.raises(ValueError, match="unknown name"):
        acc.measure(names=["no_such_activation"])
    with pytest.raises(ValueError, match="dtypes"):
        acc.measure(names=["elu"], dtypes=("float64",))
    with pytest.raises(ValueError, match="include"):
        acc.measure(names=["elu"], include=("keras",))


def test_hull_reference_used_by_harness_matches_direct_hull():
    x = np.array([-20.0, 0.5, 20.0], np.float32)
    lo, hi = hull(_dsigmoid64, x)
    assert np.all(lo <= _dsigmoid64(x.astype(np.float64))) and np.all(hi >= _dsigmoid64(x.astype(np.float64)))
    assert ROWS  # the table is importable alongside the harness


def test_sparse_normalizers_are_measured_in_ulp_of_the_row_scale():
    # A row [0.75, 0.25, 1e-6, 0]: an absolute error of 3e-8 on the 1e-6 entry is ~3000 ULP of that output but
    # 0.5 ULP of the row's scale (spacing at 0.75 is 6e-8); 3e-7 is 5 ULP of the row's scale: a miss.
    ref = np.array([[0.75, 0.25, 1e-6, 0.0]])
    near = ref + np.array([[0.0, 0.0, 3e-8, 0.0]])
    far = ref + np.array([[0.0, 0.0, 3e-7, 0.0]])
    assert ulp_error(near, ref).max() > 1000
    assert acc._row_ulp_error(near, ref, -1, np.float32).max() == pytest.approx(0.5, rel=0.02)
    assert acc._row_ulp_error(far, ref, -1, np.float32).max() == pytest.approx(5.0, rel=0.02)
    # rows are scaled separately (here along axis 0), and non-finite results keep ulp_error's rules
    col = acc._row_ulp_error(near.T, ref.T, 0, np.float32)
    assert col.max() == pytest.approx(0.5, rel=0.02)
    assert math.isinf(acc._row_ulp_error(np.array([[np.nan, 1.0]]), np.array([[0.0, 1.0]]), -1, np.float32)[0, 0])

    def ref_sparsemax(x, axis=-1):
        return ROWS["sparsemax"].f(x, axis=axis)

    row = Row("sparsemax", ref_sparsemax, kind="axis")
    (good,) = [
        r for r in acc.measure_impl(lambda x: ja.sparsemax(x), row, dtypes=("float32",)) if r["quantity"] == "value"
    ]
    assert good["max_ulp"] <= acc.VALUE_BAR

    def shifted(x):  # every output moved by 4e-7 absolutely: ~7 ULP of a one-hot row's scale
        y = ja.sparsemax(x)
        return y + jnp.where(y > 0, 4e-7, 0.0).astype(y.dtype)

    (bad,) = [r for r in acc.measure_impl(shifted, row, dtypes=("float32",)) if r["quantity"] == "value"]
    assert bad["max_ulp"] > acc.VALUE_BAR
    md = acc.to_markdown([good])
    assert "Row-scaled: sparsemax" in md
    assert "Row-scaled" not in acc.to_markdown([{**good, "function": "softmax"}])


def test_row_sum_normalizers_bar_is_four_plus_the_reduce_error_plus_one():
    # XLA's reduce-sum on positive float32 rows: measured here, it must not exceed the error the bar assumes.
    rng = np.random.default_rng(5)
    v = np.exp(rng.uniform(-80.0, 0.0, (512, 64))).astype(np.float32)
    got = np.asarray(jax.jit(lambda a: jnp.sum(a, axis=-1))(jnp.asarray(v)), np.float64)
    prim = acc.PRIMITIVE_ERROR["cpu"]["reduce_sum"]
    assert ulp_error(got, v.astype(np.float64).sum(-1)).max() <= prim
    assert acc.value_bar("softmax", "cpu") == acc.VALUE_BAR + prim + 1.0
    assert acc.value_bar("log_softmax", "cpu") == acc.VALUE_BAR + prim + 1.0
    assert acc.value_bar("relu", "cpu") == acc.VALUE_BAR

    row = ROWS["softmax"]
    (good,) = [r for r in acc.measure_impl(ja.softmax, row, dtypes=("float32",)) if r["quantity"] == "value"]
    assert good["max_ulp"] <= acc.value_bar("softmax")

    def unshifted(x):  # no max subtraction: exp overflows for the large logits
        e = jnp.exp(x)
        return e / e.sum(axis=-1, keepdims=True)

    def sloppy(x):  # every output 16 ULP off: beyond the bar even with the rounded-shift hull
        return ja.softmax(x) * jnp.float32(1.0 + 16 * 2.0**-23)

    for f in (unshifted, sloppy):
        (bad,) = [r for r in acc.measure_impl(f, row, dtypes=("float32",)) if r["quantity"] == "value"]
        assert bad["max_ulp"] > acc.value_bar("softmax"), f.__name__
    md = acc.to_markdown([good])
    assert "XLA's reduce-sum primitive error" in md and f"= {acc._fmt(acc.value_bar('softmax'))} ULP" in md
