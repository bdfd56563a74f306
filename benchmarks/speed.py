"""Speed of every activation: ours beside jax.nn's equivalent, torch's and the roofline.

For every registered elementwise activation and every axis one (softmax,
log_softmax... on rows of 1024): forward and forward+backward (``jax.grad`` of
the sum, seed passed at run time), float32 and bfloat16, sizes 2^10 to 2^24,
with a fresh output buffer each call and with a donated (reused) one.  The
roofline is a jitted ``x * 2.0`` on the same array in the same process.  All
programs are compiled and warmed up first; calls block on their result; the
implementations are timed in interleaved rounds and the figures are medians
(times) and medians of per-round ratios.  torch, when it imports, is timed in
the same rounds with the same thread count.  The engine is
:mod:`jax_activations._speed` (also behind ``python -m jax_activations bench``).

Usage::

    python benchmarks/speed.py                       # everything (long: 2^24 x bf16 x fwd+bwd ...)
    python benchmarks/speed.py --quick               # 2^16 and 2^20, float32, a subset (< 60 s)
    python benchmarks/speed.py --sizes 20 24 --bf16-sizes 20   # the README table

Writes ``results/speed.json``, ``results/speed.md`` and ``results/speed.png``
(``speed_quick.*`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from jax_activations import _speed

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
QUICK_NAMES = ("relu", "sigmoid", "softplus", "elu", "gelu", "silu", "mish", "softmax")

# torch equivalents of our cases (by case label), built lazily: (torch, torch.nn.functional) -> fn
TORCH: dict[str, Callable[[Any, Any], Callable[[Any], Any]]] = {
    "relu": lambda t, F: F.relu,
    "relu6": lambda t, F: F.relu6,
    "leaky_relu": lambda t, F: lambda v: F.leaky_relu(v, 0.2),
    "sigmoid": lambda t, F: t.sigmoid,
    "tanh": lambda t, F: t.tanh,
    "softplus": lambda t, F: F.softplus,
    "softsign": lambda t, F: F.softsign,
    "elu": lambda t, F: F.elu,
    "selu": lambda t, F: F.selu,
    "celu": lambda t, F: F.celu,
    "exponential": lambda t, F: t.exp,
    "gelu": lambda t, F: F.gelu,
    "gelu(approximate=True)": lambda t, F: lambda v: F.gelu(v, approximate="tanh"),
    "silu": lambda t, F: F.silu,
    "mish": lambda t, F: F.mish,
    "hard_sigmoid": lambda t, F: F.hardsigmoid,
    "hard_silu": lambda t, F: F.hardswish,
    "hard_tanh": lambda t, F: F.hardtanh,
    "log_sigmoid": lambda t, F: F.logsigmoid,
    "hard_shrink": lambda t, F: F.hardshrink,
    "soft_shrink": lambda t, F: F.softshrink,
    "tanh_shrink": lambda t, F: F.tanhshrink,
    "softmax": lambda t, F: lambda v: F.softmax(v, dim=-1),
    "log_softmax": lambda t, F: lambda v: F.log_softmax(v, dim=-1),
    "softmin": lambda t, F: lambda v: F.softmin(v, dim=-1),
    "glu": lambda t, F: lambda v: F.glu(v, dim=-1),
}


def load_torch() -> Any | None:
    """torch, or None when it is not installed or does not import (it is optional)."""
    # torch's OpenMP threads spin-wait after each op by default, stealing the cores from the JAX calls
    # interleaved with them; passive waiting keeps the rounds independent (set before torch loads libgomp).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except Exception as e:  # a broken install must not stop the benchmark
        print(f"torch not available ({type(e).__name__}: {str(e)[:120]}); its column is left out", file=sys.stderr)
        return None
    torch.set_num_threads(os.cpu_count() or 1)  # XLA's CPU client uses every core: same thread count
    return torch


def torch_builder(torch: Any, case: _speed.Case, mode: str) -> Callable[[jax.Array], Callable[[], Any]] | None:
    """``builder(x) -> call`` timing torch's equivalent on a copy of ``x`` (None when torch has none)."""
    make = TORCH.get(case.label)
    if torch is None or make is None:
        return None
    fn = make(torch, torch.nn.functional)

    def builder(x: jax.Array) -> Callable[[], Any]:
        tdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[str(x.dtype)]
        t = torch.from_numpy(np.array(x, dtype=np.float32)).to(tdtype)  # a writable copy
        if mode == "fwd":

            def call() -> Any:
                with torch.no_grad():
                    return fn(t)
        else:
            seed = 1.0

            def call() -> Any:
                v = t.detach().requires_grad_()
                y = fn(v)
                return torch.autograd.grad(y, v, grad_outputs=torch.full_like(y, seed))[0]

        call()
        call()
        return call

    return builder


def run(
    names: Sequence[str] | None = None,
    *,
    sizes: Sequence[int] = (2**10, 2**16, 2**20, 2**24),
    bf16_sizes: Sequence[int] | None = None,
    dtypes: Sequence[str] = ("float32", "bfloat16"),
    modes: Sequence[str] = ("fwd", "fwd+bwd"),
    buffers: Sequence[str] = ("fresh", "donated"),
    repeats: int = 9,
    use_torch: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Every (case, dtype, size, mode, buffer) row; torch only in the fresh-buffer rows (it has no donation)."""
    torch = load_torch() if use_torch else None
    rows = []
    for case in _speed.cases(names):
        for dtype in dtypes:
            for size in bf16_sizes if (dtype == "bfloat16" and bf16_sizes is not None) else sizes:
                for mode in modes:
                    for buffer in buffers:
                        extra = {}
                        tb = torch_builder(torch, case, mode) if buffer == "fresh" else None
                        if tb is not None:
                            extra["torch"] = tb
                        row = _speed.measure(
                            case, size=size, dtype=dtype, mode=mode, buffer=buffer, repeats=repeats, extra=extra
                        )
                        rows.append(row)
                        if progress is not None:
                            progress(_speed.markdown([row], extra=("torch",)).splitlines()[-1])
    return rows


def summary(rows: Sequence[dict[str, Any]]) -> str:
    """The issue's bar, checked on ``rows``: per (dtype, size, mode, buffer), max and median of ours / jax.nn."""
    lines = [
        "| dtype | size | mode | buffer | n | median ours/jax.nn | max ours/jax.nn (which) | > 1.10 | "
        "median ours/roofline | median jax.nn/roofline | ours faster than torch |",
        "|" + "---|" * 11,
    ]
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        if r["baseline"].startswith("jax.nn") and r["ours/baseline"] is not None:
            groups.setdefault((r["dtype"], r["size"], r["mode"], r["buffer"]), []).append(r)
    for (dtype, size, mode, buffer), g in sorted(groups.items()):
        ratios = [r["ours/baseline"] for r in g]
        worst = max(g, key=lambda r: r["ours/baseline"])
        over = [f"{r['case']} {r['ours/baseline']:.2f}" for r in g if r["ours/baseline"] > 1.10]
        with_torch = [r for r in g if r.get("ours/torch") is not None]
        tfast = f"{sum(r['ours/torch'] < 1 for r in with_torch)}/{len(with_torch)}" if with_torch else "—"
        lines.append(
            "| "
            + " | ".join(
                [
                    dtype,
                    _speed._size_label(size),
                    mode,
                    buffer,
                    str(len(g)),
                    f"{statistics.median(ratios):.2f}",
                    f"{worst['ours/baseline']:.2f} ({worst['case']})",
                    ", ".join(over) or "none",
                    f"{statistics.median(r['ours/roofline'] for r in g):.2f}",
                    f"{statistics.median(r['baseline/roofline'] for r in g):.2f}",
                    tfast,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def compact(rows: Sequence[dict[str, Any]]) -> str:
    """One line per activation: ours / jax.nn for each (dtype, size, mode, buffer) measured, then ours / torch."""
    keys = sorted(
        {(r["dtype"], r["size"], r["mode"], r["buffer"]) for r in rows},
        key=lambda k: (k[0] != "float32", k[1], k[2], k[3]),
    )
    short = {"fresh": "new", "donated": "don"}
    head = ["activation"] + [
        f"{'bf16' if d == 'bfloat16' else 'f32'} {_speed._size_label(n)} {m} {short[b]}" for d, n, m, b in keys
    ]
    tkeys = [k for k in keys if k[3] == "fresh"]
    head += [f"vs torch {'bf16' if d == 'bfloat16' else 'f32'} {_speed._size_label(n)} {m}" for d, n, m, _ in tkeys]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    by = {(r["case"], r["dtype"], r["size"], r["mode"], r["buffer"]): r for r in rows}
    for case in sorted({r["case"] for r in rows}):
        cells = [case]
        for k in keys:
            r = by.get((case, *k))
            v = None if r is None else r.get("ours/baseline")
            mark = "" if (r is None or r["baseline"].startswith("jax.nn")) else "*"
            cells.append("—" if v is None else f"{v:.2f}{mark}")
        for k in tkeys:
            r = by.get((case, *k))
            v = None if r is None else r.get("ours/torch")
            cells.append("—" if v is None else f"{v:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(
    rows: Sequence[dict[str, Any]], path: pathlib.Path, *, size: int | None = None, dtype: str = "float32"
) -> bool:
    """Bar chart of time / roofline (ours, jax.nn, torch) per activation, forward and forward+backward."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:  # matplotlib is optional
        return False
    sel = [r for r in rows if r["dtype"] == dtype and r["buffer"] == "fresh"]
    if not sel:
        return False
    size = size if size is not None and any(r["size"] == size for r in sel) else max(r["size"] for r in sel)
    sel = [r for r in sel if r["size"] == size]
    modes = [m for m in ("fwd", "fwd+bwd") if any(r["mode"] == m for r in sel)]
    labels = sorted({r["case"] for r in sel})
    fig, axes = plt.subplots(len(modes), 1, figsize=(max(8, 0.45 * len(labels)), 3.6 * len(modes)), squeeze=False)
    for ax, mode in zip(axes[:, 0], modes, strict=True):
        by = {r["case"]: r for r in sel if r["mode"] == mode}
        xs = np.arange(len(labels))
        series = [("ours", "ours/roofline", "tab:blue"), ("jax.nn / jnp", "baseline/roofline", "tab:orange")]
        if any(by.get(c, {}).get("torch_ms") for c in labels):
            series.append(("torch", "torch", "tab:green"))
        w = 0.8 / len(series)
        for i, (name, key, color) in enumerate(series):
            vals = []
            for c in labels:
                r = by.get(c)
                if r is None:
                    vals.append(np.nan)
                elif key == "torch":
                    vals.append(r["torch_ms"] / r["roofline_ms"] if r.get("torch_ms") else np.nan)
                else:
                    vals.append(r[key] if r.get(key) is not None else np.nan)
            ax.bar(xs + (i - (len(series) - 1) / 2) * w, vals, w, label=name, color=color)
        ax.axhline(1.0, color="k", lw=0.8, ls="--", label="roofline (jit x*2.0)")
        ax.set_xticks(xs, labels, rotation=60, ha="right", fontsize=8)
        ax.set_yscale("log")  # sort-based normalizers sit hundreds of times above the roofline
        ax.set_ylabel("time / roofline (log scale)")
        ax.set_title(f"{mode}, {dtype}, {_speed._size_label(size)} elements, fresh output (lower is better)")
        ax.legend(fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _sizes(values: Sequence[str] | None) -> list[int] | None:
    if values is None:
        return None
    return [2 ** int(v) if int(v) <= 40 else int(v) for v in values]  # "20" means 2^20


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick", action="store_true", help=f"float32, 2^16 and 2^20, fresh buffers, {', '.join(QUICK_NAMES)}"
    )
    p.add_argument("--names", nargs="*", help="only these activations (default: every registered one)")
    p.add_argument("--sizes", nargs="*", help="sizes as powers of two (default 10 16 20 24)")
    p.add_argument("--bf16-sizes", nargs="*", help="bfloat16 sizes as powers of two (default: --sizes)")
    p.add_argument("--dtypes", nargs="*", default=["float32", "bfloat16"])
    p.add_argument("--modes", nargs="*", default=["fwd", "fwd+bwd"])
    p.add_argument("--buffers", nargs="*", default=["fresh", "donated"])
    p.add_argument("--repeats", type=int, default=9, help="interleaved rounds per row (default 9)")
    p.add_argument("--no-torch", action="store_true", help="leave torch out even when it is installed")
    p.add_argument("--out", type=pathlib.Path, default=RESULTS, help="results folder (default benchmarks/results)")
    p.add_argument("--render", type=pathlib.Path, help="re-render the markdown and chart of an existing speed JSON")
    a = p.parse_args(argv)
    if a.render is not None:
        res = json.loads(a.render.read_text())
        return _write(res, a.render.with_suffix(""), res.get("repeats", 9))
    if a.quick:
        registered = set(jax_names())
        names = a.names or [n for n in QUICK_NAMES if n in registered] or None
        sizes, bf16, dtypes, buffers, repeats = [2**16, 2**20], None, ["float32"], ["fresh"], 5
    else:
        names, sizes, bf16, dtypes, buffers, repeats = (
            a.names,
            _sizes(a.sizes) or [2**10, 2**16, 2**20, 2**24],
            _sizes(a.bf16_sizes),
            a.dtypes,
            a.buffers,
            a.repeats,
        )
    t0 = time.perf_counter()
    rows = run(
        names,
        sizes=sizes,
        bf16_sizes=bf16,
        dtypes=dtypes,
        modes=a.modes,
        buffers=buffers,
        repeats=repeats,
        use_torch=not a.no_torch,
        progress=lambda line: print(line, file=sys.stderr),
    )
    env = _speed.environment()
    torch = sys.modules.get("torch")
    env["torch"] = getattr(torch, "__version__", None)
    res = {
        "environment": env,
        "command": "python benchmarks/speed.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "method": "paired interleaved rounds, medians; roofline = jit(x * 2.0); fwd+bwd = grad of sum, runtime seed",
        "repeats": repeats,
        "seconds": time.perf_counter() - t0,
        "rows": rows,
    }
    a.out.mkdir(parents=True, exist_ok=True)
    stem = a.out / ("speed_quick" if a.quick else "speed")
    stem.with_suffix(".json").write_text(json.dumps(res, indent=1))
    return _write(res, stem, repeats)


def _write(res: dict[str, Any], stem: pathlib.Path, repeats: Any) -> int:
    env, rows = res["environment"], res["rows"]
    head = (
        f"{env['backend']} ({env['cpu']}, {env['cpu_count']} cores, shared: timings are noisy), jax {env['jax']}, "
        f"torch {env.get('torch') or '—'}; median of {repeats} interleaved rounds; ratios are medians of "
        f"per-round ratios. `{res['command']}`"
    )
    md = (
        f"{head}\n\n## Summary (ours vs jax.nn)\n\n{summary(rows)}\n\n"
        f"## ours / jax.nn per activation (* = a jax.numpy formula, jax.nn has none; new = fresh output, "
        f"don = donated buffer)\n\n{compact(rows)}\n\n## All rows\n\n{_speed.markdown(rows, extra=('torch',))}\n"
    )
    stem.with_suffix(".md").write_text(md)
    chart(rows, stem.with_suffix(".png"), size=2**20)
    print(md)
    return 0


def jax_names() -> list[str]:
    from jax_activations import _registry

    return _registry.names()


if __name__ == "__main__":
    raise SystemExit(main())
