"""Eager-call latency and compile time of every activation, ours beside jax.nn's equivalent.

* **Eager latency**: one call on a 1024-element float32 array outside any ``jit``
  (as a notebook or Keras-style eager code calls it), blocking on the result,
  against a jitted ``x * 2.0`` called the same way (one XLA dispatch, the floor).
  Interleaved rounds, medians.
* **Compile time**: ``jax.jit(f).lower(x).compile()`` for the forward and for the
  forward+backward program (``jax.grad`` of the sum, seed at run time), each
  round on a new shape so that no cache (ours or jax's) is hit; medians.

Usage::

    python benchmarks/eager.py            # every registered activation
    python benchmarks/eager.py --quick    # fewer rounds (< 60 s)
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from jax_activations import _speed

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
N = 1024

_roofline = jax.jit(lambda v: v * 2.0)


def eager_latency(
    case: _speed.Case, *, n: int = N, repeats: int = 15, target_s: float = 2e-3
) -> dict[str, float | None]:
    """Median seconds per eager call: ours, baseline, and the jitted ``x * 2.0`` floor."""
    x = _speed.sample_input(case.kind, n, jnp.float32)
    calls: dict[str, Callable[[], Any]] = {
        "ours": lambda: case.ours(x).block_until_ready(),
        "roofline": lambda: _roofline(x).block_until_ready(),
    }
    if case.baseline is not None:
        base = case.baseline
        base_jit = jax.jit(base)
        calls["baseline"] = lambda: base(x).block_until_ready()
        # the same computation as one jitted XLA call: XLA's own floor for it (kernels, threads), without Python
        calls["baseline_jit"] = lambda: base_jit(x).block_until_ready()
    for c in calls.values():  # compile and warm up
        c()
        c()
    times = _speed.time_interleaved(calls, repeats=repeats, target_s=target_s)
    out: dict[str, float | None] = {f"{k}_us": statistics.median(v) * 1e6 for k, v in times.items()}
    out.setdefault("baseline_us", None)
    out.setdefault("baseline_jit_us", None)
    out["ours/baseline_jit"] = (
        _speed.paired_ratio(times["ours"], times["baseline_jit"]) if "baseline_jit" in times else None
    )
    # XLA's CPU runtime runs a program estimated at < 1000 flops on the calling thread and hands larger ones to
    # a worker thread (about 1 us idle, up to ~20 us on a busy machine): the x * 2 floor (1024 flops) is handed
    # off, and so is almost every activation (transcendentals count 0 flops: tanh and exp stay inline).
    cost = jax.jit(case.ours).lower(x).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, (list, tuple)) else cost
    out["ours_inline"] = bool(cost) and float(cost.get("flops", 0.0)) < 1000.0
    out["ours/roofline"] = _speed.paired_ratio(times["ours"], times["roofline"])
    out["baseline/roofline"] = (
        _speed.paired_ratio(times["baseline"], times["roofline"]) if "baseline" in times else None
    )
    out["ours/baseline"] = _speed.paired_ratio(times["ours"], times["baseline"]) if "baseline" in times else None
    return out


def compile_seconds(fn: Callable[[jax.Array], jax.Array], kind: str, mode: str, n: int) -> float:
    """Seconds to trace, lower and compile ``fn`` (``mode`` "fwd" or "fwd+bwd") for a fresh shape of ``n`` elements."""
    x = jax.ShapeDtypeStruct((n // N, N) if kind == "axis" else (n,), jnp.float32)
    t0 = time.perf_counter()
    if mode == "fwd":
        jax.jit(lambda v: fn(v)).lower(x).compile()
    else:
        jax.jit(_speed.grad_of_sum(fn)).lower(x, jax.ShapeDtypeStruct((), jnp.float32)).compile()
    return time.perf_counter() - t0


_shape_counter = [0]


def compile_times(case: _speed.Case, *, repeats: int = 5) -> dict[str, float | None]:
    """Median compile seconds (forward and forward+backward), ours and baseline interleaved, new shape each round."""
    out: dict[str, float | None] = {}
    for mode in ("fwd", "fwd+bwd"):
        ts: dict[str, list[float]] = {"ours": [], "baseline": []}
        for r in range(repeats):
            who = ["ours", "baseline"] if r % 2 == 0 else ["baseline", "ours"]
            for w in who:
                fn = case.ours if w == "ours" else case.baseline
                if fn is None:
                    continue
                _shape_counter[0] += 1
                n = N * (8 + _shape_counter[0])  # a shape never compiled before in this process
                ts[w].append(compile_seconds(fn, case.kind, mode, n))
        out[f"ours_{mode}_ms"] = statistics.median(ts["ours"]) * 1e3
        out[f"baseline_{mode}_ms"] = statistics.median(ts["baseline"]) * 1e3 if ts["baseline"] else None
        out[f"ours/baseline_{mode}"] = _speed.paired_ratio(ts["ours"], ts["baseline"]) if ts["baseline"] else None
    return out


def run(
    names: Sequence[str] | None = None,
    *,
    repeats: int = 15,
    compile_repeats: int = 5,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for case in _speed.cases(names):
        row: dict[str, Any] = {"case": case.label, "name": case.name, "baseline": case.baseline_label}
        row.update(eager_latency(case, repeats=repeats))
        row.update(compile_times(case, repeats=compile_repeats))
        rows.append(row)
        if progress is not None:
            progress(markdown([row]).splitlines()[-1])
    return rows


def _n(v: Any, fmt: str = "{:.2f}") -> str:
    return "—" if v is None else fmt.format(v)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    head = [
        "activation",
        "ours eager µs",
        "jax.nn eager µs",
        "jit(x*2) µs",
        "jit(jax.nn) µs",
        "ours / jit(x*2)",
        "jax.nn / jit(x*2)",
        "ours / jit(jax.nn)",
        "compile fwd ms ours / jax.nn",
        "compile fwd+bwd ms ours / jax.nn",
        "compile ratio fwd / fwd+bwd",
        "baseline",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    r["case"],
                    _n(r["ours_us"], "{:.1f}"),
                    _n(r["baseline_us"], "{:.1f}"),
                    _n(r["roofline_us"], "{:.1f}"),
                    _n(r.get("baseline_jit_us"), "{:.1f}"),
                    _n(r["ours/roofline"]) + (" (inline)" if r.get("ours_inline") else ""),
                    _n(r["baseline/roofline"]),
                    _n(r.get("ours/baseline_jit")),
                    f"{_n(r['ours_fwd_ms'], '{:.0f}')} / {_n(r['baseline_fwd_ms'], '{:.0f}')}",
                    f"{_n(r['ours_fwd+bwd_ms'], '{:.0f}')} / {_n(r['baseline_fwd+bwd_ms'], '{:.0f}')}",
                    f"{_n(r['ours/baseline_fwd'])} / {_n(r['ours/baseline_fwd+bwd'])}",
                    r["baseline"] or "—",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="5 latency rounds and 1 compile per program (< 60 s)")
    p.add_argument("--names", nargs="*", help="only these activations (default: every registered one)")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--compile-repeats", type=int, default=5)
    p.add_argument("--out", type=pathlib.Path, default=RESULTS, help="results folder (default benchmarks/results)")
    a = p.parse_args(argv)
    reps, creps = (5, 1) if a.quick else (a.repeats, a.compile_repeats)
    t0 = time.perf_counter()
    rows = run(a.names, repeats=reps, compile_repeats=creps, progress=lambda line: print(line, file=sys.stderr))
    res = {
        "config": {"n": N, "dtype": "float32", "repeats": reps, "compile_repeats": creps},
        "rows": rows,
        "environment": _speed.environment(),
        "command": "python benchmarks/eager.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seconds": time.perf_counter() - t0,
    }
    md = (
        f"Eager call on {N} float32 elements (median of {reps} interleaved rounds) and compile time "
        f'(median of {creps}, new shape each time), {res["environment"]["backend"]}. "jit(jax.nn)" is the same '
        'computation as one jitted call (XLA\'s own floor for it); "(inline)": XLA runs our program on the calling '
        "thread (< 1000 flops) while the x * 2 floor is handed to a worker thread, which costs 1-20 us more on a "
        "busy machine.\n\n" + markdown(rows)
    )
    stem = "eager_quick" if a.quick else "eager"
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / f"{stem}.json").write_text(json.dumps(res, indent=1))
    (a.out / f"{stem}.md").write_text(md + "\n")
    print(md)
    slow = [r["case"] for r in rows if r["ours/roofline"] > 1.5]
    slowc = [r["case"] for r in rows if any((r[f"ours/baseline_{m}"] or 0) > 1.5 for m in ("fwd", "fwd+bwd"))]
    print(f"\neager > 1.5x jit(x*2): {', '.join(slow) or 'none'}; compile > 1.5x jax.nn: {', '.join(slowc) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
