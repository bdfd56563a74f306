"""Timing engine shared by ``python -m jax_activations bench`` and ``benchmarks/speed.py``.

Every registered activation of kind ``"elementwise"`` or ``"axis"`` becomes a
:class:`Case`: our function with its default configuration beside the ``jax.nn``
function that computes the same thing with the same configuration (a plain
``jax.numpy`` formula where ``jax.nn`` has no equivalent).  Each case is timed
against the *roofline*, a jitted ``x * 2.0`` on the same array in the same
process: one read and one write of the array, the least any activation can do.

Method: every program is compiled and run twice before timing; calls block on
their result; the implementations of a case are timed in interleaved rounds
(ours, baseline, roofline, then rotated) so that noise from other processes
hits all of them alike, and the reported figures are medians of the times and
of the per-round (paired) ratios.  ``fwd+bwd`` is ``jax.grad`` of the sum, with
the cotangent seed passed as a runtime scalar (a literal ones cotangent lets
XLA constant-fold it, which makes some compiles take seconds to minutes).
``buffer="donated"`` writes each result into a donated, already touched buffer,
which removes the page-fault cost of a fresh output allocation.

This module imports nothing beyond JAX and NumPy (no plotting, no torch).
"""

from __future__ import annotations

import dataclasses
import functools
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jax_activations import _registry

__all__ = [
    "Case",
    "cases",
    "environment",
    "grad_of_sum",
    "markdown",
    "measure",
    "paired_ratio",
    "program",
    "quick_table",
    "sample_input",
    "time_interleaved",
]

ROW_WIDTH = 1024  # axis activations (softmax, ...) run on rows of this length

_nn = jax.nn


def _soft_shrink(x: jax.Array, t: float = 0.5) -> jax.Array:
    return jnp.where(x > t, x - t, jnp.where(x < -t, x + t, 0.0))


# name -> (label, baseline, config for ours).  The baseline computes what our function computes with its
# default configuration (or with ``config``, passed to ours too).  "jnp:" labels mark formulas written with
# jax.numpy where jax.nn has no such function.
_BASELINES: dict[str, tuple[str, Callable[..., jax.Array], dict[str, Any]]] = {
    "relu": ("jax.nn.relu", _nn.relu, {}),
    "relu6": ("jax.nn.relu6", _nn.relu6, {}),
    "leaky_relu": ("jax.nn.leaky_relu(negative_slope=0.2)", functools.partial(_nn.leaky_relu, negative_slope=0.2), {}),
    "sigmoid": ("jax.nn.sigmoid", _nn.sigmoid, {}),
    "tanh": ("jax.nn.tanh", _nn.tanh, {}),
    "softplus": ("jax.nn.softplus", _nn.softplus, {}),
    "softsign": ("jax.nn.soft_sign", _nn.soft_sign, {}),
    "elu": ("jax.nn.elu", _nn.elu, {}),
    "selu": ("jax.nn.selu", _nn.selu, {}),
    "celu": ("jax.nn.celu", _nn.celu, {}),
    "exponential": ("jnp.exp", jnp.exp, {}),
    "gelu": ("jax.nn.gelu(approximate=False)", functools.partial(_nn.gelu, approximate=False), {}),
    "silu": ("jax.nn.silu", _nn.silu, {}),
    "mish": ("jax.nn.mish", _nn.mish, {}),
    "hard_sigmoid": ("jax.nn.hard_sigmoid", _nn.hard_sigmoid, {}),
    "hard_silu": ("jax.nn.hard_silu", _nn.hard_silu, {}),
    "hard_tanh": ("jax.nn.hard_tanh", _nn.hard_tanh, {}),
    "linear": ("jax.nn.identity", _nn.identity, {}),
    "log_sigmoid": ("jax.nn.log_sigmoid", _nn.log_sigmoid, {}),
    "sparse_plus": ("jax.nn.sparse_plus", _nn.sparse_plus, {}),
    "sparse_sigmoid": ("jax.nn.sparse_sigmoid", _nn.sparse_sigmoid, {}),
    "squareplus": ("jax.nn.squareplus(b=4)", functools.partial(_nn.squareplus, b=4.0), {}),
    "softmax": ("jax.nn.softmax", _nn.softmax, {}),
    "log_softmax": ("jax.nn.log_softmax", _nn.log_softmax, {}),
    "glu": ("jax.nn.glu", _nn.glu, {}),
    # no jax.nn function: the formula as a user would write it with jax.numpy
    "softmin": ("jnp: jax.nn.softmax(-x)", lambda x: _nn.softmax(-x), {}),
    "tanh_shrink": ("jnp: x - tanh(x)", lambda x: x - jnp.tanh(x), {}),
    "hard_shrink": ("jnp: where(|x| > 0.5, x, 0)", lambda x: jnp.where(jnp.abs(x) > 0.5, x, 0.0), {}),
    "soft_shrink": ("jnp: shrink by 0.5", _soft_shrink, {}),
    "thresholded_relu": ("jnp: where(x > 1, x, 0)", lambda x: jnp.where(x > 1.0, x, 0.0), {}),
    "squared_relu": ("jnp: relu(x)**2", lambda x: jnp.square(_nn.relu(x)), {}),
}

# Extra configurations worth timing on their own: (name, config for ours, label, baseline).
_VARIANTS: list[tuple[str, dict[str, Any], str, Callable[..., jax.Array]]] = [
    ("gelu", {"approximate": True}, "jax.nn.gelu(approximate=True)", functools.partial(_nn.gelu, approximate=True)),
    # lean=True: the output-based derivative (jax.nn's rule) for no extra training memory
    *((n, {"lean": True}, f"jax.nn.{n}", getattr(_nn, n)) for n in ("elu", "selu", "celu", "sigmoid", "tanh")),
]


@dataclasses.dataclass(frozen=True)
class Case:
    """One timed comparison: our activation (one configuration) and its baseline."""

    label: str  # "gelu" or "gelu(approximate=True)"
    name: str  # canonical registry name
    kind: str  # "elementwise" | "axis"
    ours: Callable[..., jax.Array]
    baseline: Callable[..., jax.Array] | None
    baseline_label: str  # "" when there is no baseline
    config: tuple[tuple[str, Any], ...] = ()

    @property
    def baseline_is_jax_nn(self) -> bool:
        return self.baseline_label.startswith("jax.nn")


def _label(name: str, config: dict[str, Any]) -> str:
    if not config:
        return name
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in sorted(config.items()))})"


def _bound(fn: Callable[..., jax.Array], config: dict[str, Any]) -> Callable[..., jax.Array]:
    return functools.partial(fn, **config) if config else fn


def _required_params(spec: _registry.Spec) -> list[str]:
    import inspect

    return [k for k, v in spec.params.items() if v is inspect.Parameter.empty]


def cases(names: Iterable[str] | None = None, *, variants: bool = True) -> list[Case]:
    """Every registered elementwise and axis activation as a :class:`Case` (or only ``names``).

    An activation without an entry in the baseline table falls back to the
    ``jax.nn`` function of the same name (or alias) with its defaults, and to no
    baseline at all when there is none.  Activations with a required
    hyperparameter and no table entry are left out.
    """
    wanted = None if names is None else {_registry.spec(n).name for n in names}
    out: list[Case] = []
    for spec in _registry.specs():
        if spec.kind not in ("elementwise", "axis") or (wanted is not None and spec.name not in wanted):
            continue
        entry = _BASELINES.get(spec.name)
        if entry is None:
            for n in (spec.name, *spec.aliases):
                if callable(getattr(_nn, n, None)):
                    entry = (f"jax.nn.{n} (its defaults)", getattr(_nn, n), {})
                    break
        label, base, config = entry if entry is not None else ("", None, {})
        if any(p not in config for p in _required_params(spec)):
            continue
        out.append(
            Case(
                _label(spec.name, config),
                spec.name,
                spec.kind,
                _bound(spec.fn, config),
                base,
                label,
                tuple(sorted(config.items())),
            )
        )
        if variants:
            for vname, vconfig, vlabel, vbase in _VARIANTS:
                if vname == spec.name and all(k in spec.params for k in vconfig):
                    out.append(
                        Case(
                            _label(vname, vconfig),
                            vname,
                            spec.kind,
                            _bound(spec.fn, vconfig),
                            vbase,
                            vlabel,
                            tuple(sorted(vconfig.items())),
                        )
                    )
    return out


def sample_input(case_kind: str, size: int, dtype: Any, seed: int = 0) -> jax.Array:
    """A seeded standard-normal array times 3 (both sides of every kink), rows of 1024 for axis cases."""
    x = np.random.default_rng(seed).standard_normal(size, dtype=np.float32) * 3.0
    if case_kind == "axis":
        x = x.reshape(-1, min(ROW_WIDTH, size))
    return jnp.asarray(x, dtype=dtype)


def _roofline(x: jax.Array) -> jax.Array:
    return x * jnp.asarray(2.0, x.dtype)


def grad_of_sum(fn: Callable[..., jax.Array]) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """``(x, seed) -> seed * jax.grad(lambda v: fn(v).sum())(x)``, the seed a runtime scalar.

    A literal ones cotangent lets XLA constant-fold a full-size array into the
    program (seconds to minutes of compile for bfloat16 log_softmax at 2^20..2^24).
    """

    def g(v: jax.Array, seed: jax.Array) -> jax.Array:
        y, pull = jax.vjp(fn, v)
        return pull(jnp.full_like(y, seed))[0]

    return g


def program(fn: Callable[..., jax.Array], mode: str, buffer: str, x: jax.Array) -> Callable[[], Any]:
    """A compiled, warmed-up, blocking zero-argument call of ``fn`` on ``x``.

    ``mode`` is ``"fwd"`` or ``"fwd+bwd"`` (``jax.grad`` of the sum, seed passed at run
    time); ``buffer`` is ``"fresh"`` (a new output each call) or ``"donated"`` (the
    result is written into a donated buffer of the right shape, reused every call).
    """
    if mode == "fwd":

        def core(v: jax.Array, seed: jax.Array) -> jax.Array:
            return fn(v)
    elif mode == "fwd+bwd":
        core = grad_of_sum(fn)
    else:
        raise ValueError(f"mode: expected 'fwd' or 'fwd+bwd', got {mode!r}")
    seed = jnp.asarray(1.0, jnp.float32)
    if buffer == "fresh":
        prog = jax.jit(core)

        def call() -> Any:
            return prog(x, seed).block_until_ready()
    elif buffer == "donated":
        shape = jax.eval_shape(core, x, seed)
        # keep_unused: the scratch argument is never read, but must survive tracing to be aliased to the output
        prog = jax.jit(lambda v, s, out: core(v, s), donate_argnums=2, keep_unused=True)
        state = [jnp.zeros(shape.shape, shape.dtype)]

        def call() -> Any:
            state[0] = prog(x, seed, state[0]).block_until_ready()
            return state[0]
    else:
        raise ValueError(f"buffer: expected 'fresh' or 'donated', got {buffer!r}")
    call()
    call()
    return call


def time_interleaved(
    calls: dict[str, Callable[[], Any]], *, repeats: int, target_s: float = 2e-3
) -> dict[str, list[float]]:
    """Seconds per call for each entry, in ``repeats`` interleaved rounds (order rotated each round).

    Each round times ``inner`` back-to-back calls of one entry (``inner`` chosen so
    that a sample lasts about ``target_s``), then moves to the next entry.
    """
    keys = list(calls)
    est = {}
    for k in keys:
        t0 = time.perf_counter()
        calls[k]()
        est[k] = time.perf_counter() - t0
    inner = max(1, min(1000, int(target_s / max(min(est.values()), 1e-7))))
    out: dict[str, list[float]] = {k: [] for k in keys}
    for r in range(repeats):
        order = keys[r % len(keys) :] + keys[: r % len(keys)]
        for k in order:
            call = calls[k]
            t0 = time.perf_counter()
            for _ in range(inner):
                call()
            out[k].append((time.perf_counter() - t0) / inner)
    return out


def paired_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def measure(
    case: Case,
    *,
    size: int,
    dtype: Any = "float32",
    mode: str = "fwd",
    buffer: str = "fresh",
    repeats: int = 9,
    extra: dict[str, Callable[[jax.Array], Callable[[], Any]]] | None = None,
) -> dict[str, Any]:
    """Time ``case`` (ours, its baseline, the roofline, and any ``extra`` call builders) and return one row.

    ``extra`` maps a column name to ``builder(x) -> call`` (used for torch by
    ``benchmarks/speed.py``); extras are timed in the same interleaved rounds.
    """
    x = sample_input(case.kind, size, dtype)
    calls = {"ours": program(case.ours, mode, buffer, x)}
    if case.baseline is not None:
        calls["baseline"] = program(case.baseline, mode, buffer, x)
    calls["roofline"] = program(_roofline, "fwd", buffer, x)  # one read, one write: the floor for both modes
    for k, builder in (extra or {}).items():
        try:
            calls[k] = builder(x)
        except Exception as e:  # an optional side-by-side column must not stop the run
            calls.pop(k, None)
            print(f"  [{case.label}] {k} skipped: {type(e).__name__}: {e}")
    times = time_interleaved(calls, repeats=repeats)
    row: dict[str, Any] = {
        "case": case.label,
        "name": case.name,
        "kind": case.kind,
        "baseline": case.baseline_label,
        "dtype": str(jnp.dtype(dtype)),
        "size": int(size),
        "mode": mode,
        "buffer": buffer,
        "repeats": repeats,
    }
    for k, ts in times.items():
        row[f"{k}_ms"] = statistics.median(ts) * 1e3
    row["ours/baseline"] = paired_ratio(times["ours"], times["baseline"]) if "baseline" in times else None
    row["ours/roofline"] = paired_ratio(times["ours"], times["roofline"])
    row["baseline/roofline"] = paired_ratio(times["baseline"], times["roofline"]) if "baseline" in times else None
    for k in extra or {}:
        if k in times:
            row[f"ours/{k}"] = paired_ratio(times["ours"], times[k])
    return row


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _size_label(n: int) -> str:
    e = int(np.log2(n))
    return f"2^{e}" if 2**e == n else str(n)


def markdown(rows: Sequence[dict[str, Any]], extra: Sequence[str] = ()) -> str:
    """A markdown table of ``rows`` (from :func:`measure`), one line per row."""
    head = ["activation", "dtype", "size", "mode", "buffer", "ours ms", "baseline ms", "roofline ms"]
    head += [f"{k} ms" for k in extra]
    head += ["ours / baseline", "ours / roofline", "baseline / roofline"] + [f"ours / {k}" for k in extra]
    head += ["baseline"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r["case"],
            r["dtype"],
            _size_label(r["size"]),
            r["mode"],
            r["buffer"],
            _fmt(r.get("ours_ms"), 3),
            _fmt(r.get("baseline_ms"), 3),
            _fmt(r.get("roofline_ms"), 3),
        ]
        cells += [_fmt(r.get(f"{k}_ms"), 3) for k in extra]
        cells += [_fmt(r.get("ours/baseline")), _fmt(r.get("ours/roofline")), _fmt(r.get("baseline/roofline"))]
        cells += [_fmt(r.get(f"ours/{k}")) for k in extra]
        cells += [r["baseline"] or "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def quick_table(
    names: Iterable[str] | None = None,
    *,
    sizes: Sequence[int] = (2**16, 2**20),
    dtypes: Sequence[Any] = ("float32",),
    modes: Sequence[str] = ("fwd", "fwd+bwd"),
    buffers: Sequence[str] = ("fresh",),
    repeats: int = 7,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Time every (or each named) activation against jax.nn and the roofline; return ``(rows, markdown)``.

    The defaults (float32, 2^16 and 2^20, forward and forward+backward, fresh
    outputs, 7 rounds) take well under a minute on two CPU cores.

    Example:
      >>> from jax_activations import _speed
      >>> rows, table = _speed.quick_table(["elu"], sizes=[1024], modes=["fwd"], repeats=2)
      >>> rows[0]["case"], rows[0]["baseline"]
      ('elu', 'jax.nn.elu')
    """
    rows = []
    for case in cases(names):
        for dtype in dtypes:
            for size in sizes:
                for mode in modes:
                    for buffer in buffers:
                        row = measure(case, size=size, dtype=dtype, mode=mode, buffer=buffer, repeats=repeats)
                        rows.append(row)
                        if progress is not None:
                            progress(markdown([row]).splitlines()[-1])
    return rows, markdown(rows)


def environment() -> dict[str, Any]:
    """Machine and versions, recorded next to every benchmark result."""
    import os
    import platform

    import jaxlib

    dev = jax.devices()[0]
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "backend": jax.default_backend(),
        "device": getattr(dev, "device_kind", str(dev)),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "jax": jax.__version__,
        "jaxlib": jaxlib.__version__,
        "numpy": np.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
