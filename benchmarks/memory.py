"""Training memory of every activation, ours beside jax.nn's equivalent.

Two measures:

1. **MLP temp memory.** A ``layers``-deep, ``width``-wide MLP (default 4 x 1024,
   batch 4096, float32) with the activation after every layer, differentiated
   with ``jit(grad)`` and only compiled (nothing runs):
   ``.lower(...).compile().memory_analysis().temp_size_in_bytes``.  The same
   with the identity as activation is the floor.  ``extra per layer`` is
   ``(temp_act - temp_identity) / (batch * width * itemsize) / (layers - 1)``:
   the extra activation-sized buffers each hidden activation layer keeps for
   the backward pass.  We divide by ``layers - 1`` because the last layer's
   extra buffer is free (the loss gradient keeps that tensor alive for the
   identity too); measured with jax.nn at 2, 4 and 8 layers the difference is
   exactly ``k * (layers - 1)`` buffers, so this gives whole numbers (the
   ``/ layers`` figure is in the JSON as ``extra_per_layer_over_all``).
2. **Saved residuals** of one call on a 1024-vector: the arrays the vector-Jacobian
   product closes over (``jax.vjp``), counted when activation-sized, and their bytes.

Usage::

    python benchmarks/memory.py            # every registered activation, 4 x 1024, batch 4096
    python benchmarks/memory.py --quick    # batch 1024: a smoke run
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from jax_activations import _speed

RESULTS = pathlib.Path(__file__).resolve().parent / "results"

# The bar: activations whose derivative is a function of the output need no extra buffer.
OUTPUT_DERIVATIVE = frozenset({"elu", "selu", "celu", "softplus", "sigmoid", "tanh", "exponential"})
# Those whose exact derivative needs x (the output saturates): `lean=True` is the output-based option.
LEAN_OPTION = frozenset({"elu", "selu", "celu", "sigmoid", "tanh"})


def mlp_temp_bytes(
    act: Callable[[jax.Array], jax.Array],
    *,
    batch: int = 4096,
    width: int = 1024,
    layers: int = 4,
    dtype: Any = jnp.float32,
) -> int:
    """Compiled temp bytes of ``jit(grad(loss))`` for an MLP with ``act`` after every layer (compile only)."""

    def loss(params: list[tuple[jax.Array, jax.Array]], x: jax.Array) -> jax.Array:
        h = x
        for w, b in params:
            h = act(h @ w + b)
        return jnp.mean(jnp.square(h.astype(jnp.float32)))

    params = [
        (jax.ShapeDtypeStruct((width, width), dtype), jax.ShapeDtypeStruct((width,), dtype)) for _ in range(layers)
    ]
    x = jax.ShapeDtypeStruct((batch, width), dtype)
    compiled = jax.jit(jax.grad(loss)).lower(params, x).compile()
    return int(compiled.memory_analysis().temp_size_in_bytes)


def saved_residuals(fn: Callable[[jax.Array], jax.Array], n: int = 1024, dtype: Any = jnp.float32) -> dict[str, Any]:
    """What reverse mode saves for one call of ``fn`` on an ``n``-vector (rows of ``n`` for axis functions).

    Returns ``{"count": activation-sized residuals, "bytes": all residual bytes, "arrays": [...]}``;
    the residuals are the array leaves of the closure ``jax.vjp`` returns.
    """
    x = jnp.linspace(-4.0, 4.0, n, dtype=dtype)
    _, pull = jax.vjp(fn, x)
    leaves = [leaf for leaf in jax.tree_util.tree_leaves(pull) if hasattr(leaf, "shape")]
    return {
        "count": sum(1 for leaf in leaves if leaf.size == n),
        "bytes": int(sum(leaf.size * leaf.dtype.itemsize for leaf in leaves)),
        "arrays": [f"{leaf.dtype}{list(leaf.shape)}" for leaf in leaves],
    }


def _same_shape(fn: Callable[[jax.Array], jax.Array], width: int) -> bool:
    x = jax.ShapeDtypeStruct((2, width), jnp.float32)
    try:
        return jax.eval_shape(fn, x).shape == x.shape
    except Exception:  # an activation that cannot run in an MLP (e.g. halves its input) is left out
        return False


def run(
    names: Sequence[str] | None = None,
    *,
    batch: int = 4096,
    width: int = 1024,
    layers: int = 4,
    residual_n: int = 1024,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure every case; return ``{"config": ..., "identity_temp_bytes": ..., "rows": [...]}``."""
    if layers < 2:
        raise ValueError(f"layers: expected at least 2 (the last layer is the reference), got {layers}")
    buf = batch * width * 4
    identity = mlp_temp_bytes(lambda h: h, batch=batch, width=width, layers=layers)
    rows = []
    for case in _speed.cases(names):
        if not _same_shape(case.ours, width):
            continue
        row: dict[str, Any] = {"case": case.label, "name": case.name, "baseline": case.baseline_label}
        for who, fn in (("ours", case.ours), ("baseline", case.baseline)):
            if fn is None:
                row[f"{who}_temp_bytes"] = row[f"{who}_extra_per_layer"] = row[f"{who}_residuals"] = None
                continue
            t = mlp_temp_bytes(fn, batch=batch, width=width, layers=layers)
            row[f"{who}_temp_bytes"] = t
            row[f"{who}_extra_per_layer"] = (t - identity) / buf / (layers - 1)
            row[f"{who}_extra_per_layer_over_all"] = (t - identity) / buf / layers
            row[f"{who}_residuals"] = saved_residuals(fn, residual_n)
        row["bar"] = 0 if case.name in OUTPUT_DERIVATIVE else 1
        row["meets_bar"] = row["ours_extra_per_layer"] <= row["bar"] + 0.05  # allocator rounding
        row["not_above_baseline"] = row["baseline_extra_per_layer"] is None or (
            row["ours_extra_per_layer"] <= row["baseline_extra_per_layer"] + 0.05
        )
        rows.append(row)
        if progress is not None:
            progress(markdown([row]).splitlines()[-1])
    return {
        "config": {"batch": batch, "width": width, "layers": layers, "dtype": "float32", "buffer_bytes": buf},
        "identity_temp_bytes": identity,
        "rows": rows,
    }


def _n(v: Any, fmt: str = "{:.2f}") -> str:
    return "—" if v is None else fmt.format(v)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    head = [
        "activation",
        "ours temp MiB",
        "jax.nn temp MiB",
        "ours extra/layer",
        "jax.nn extra/layer",
        "bar",
        "ours residuals (1024-vector)",
        "jax.nn residuals (1024-vector)",
        "baseline",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        res = [r[f"{w}_residuals"] for w in ("ours", "baseline")]
        lines.append(
            "| "
            + " | ".join(
                [
                    r["case"],
                    _n(r["ours_temp_bytes"] and r["ours_temp_bytes"] / 2**20, "{:.0f}"),
                    _n(r["baseline_temp_bytes"] and r["baseline_temp_bytes"] / 2**20, "{:.0f}"),
                    _n(r["ours_extra_per_layer"]),
                    _n(r["baseline_extra_per_layer"]),
                    f"≤ {r['bar']}",
                    *["—" if v is None else f"{v['count']} ({v['bytes'] / 1024:.1f} KiB)" for v in res],
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
    p.add_argument(
        "--quick",
        action="store_true",
        help="batch 1024 instead of 4096 (a smoke run; the full run is compile-only too)",
    )
    p.add_argument("--names", nargs="*", help="only these activations (default: every registered one)")
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--out", type=pathlib.Path, default=RESULTS, help="results folder (default benchmarks/results)")
    a = p.parse_args(argv)
    batch, width = (1024, a.width) if a.quick else (a.batch, a.width)
    t0 = time.perf_counter()
    res = run(a.names, batch=batch, width=width, layers=a.layers, progress=lambda line: print(line, file=sys.stderr))
    res["environment"] = _speed.environment()
    res["command"] = "python benchmarks/memory.py " + " ".join(argv if argv is not None else sys.argv[1:])
    res["seconds"] = time.perf_counter() - t0
    md = (
        f"MLP {a.layers} x {width}, batch {batch}, float32, jit(grad); identity temp "
        f"{res['identity_temp_bytes'] / 2**20:.0f} MiB; one activation buffer {batch * width * 4 / 2**20:.0f} MiB; "
        f"extra/layer = (temp - identity temp) / buffer / (layers - 1).\n\n" + markdown(res["rows"])
    )
    stem = "memory_quick" if a.quick else "memory"
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / f"{stem}.json").write_text(json.dumps(res, indent=1))
    (a.out / f"{stem}.md").write_text(md + "\n")
    print(md)
    over = [r["case"] for r in res["rows"] if not r["meets_bar"]]
    worse = [r["case"] for r in res["rows"] if not r["not_above_baseline"]]
    print(f"\nabove the issue's bar: {', '.join(over) or 'none'}; more than jax.nn: {', '.join(worse) or 'none'}")
    exact = sorted({r["name"] for r in res["rows"] if r["case"] == r["name"] and r["name"] in LEAN_OPTION})
    if exact:
        print(
            f"by design: the defaults of {', '.join(exact)} keep x for exact tails (their output saturates); "
            "their lean=True rows compute the derivative from the output and keep nothing extra"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
