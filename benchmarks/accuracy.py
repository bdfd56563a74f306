"""Accuracy of every registered activation, beside jax.nn's and torch's, in ULP.

Usage::

    python benchmarks/accuracy.py                      # full grid, prints the markdown table
    python benchmarks/accuracy.py --quick              # coarse grid, default parameters (< 60 s)
    python benchmarks/accuracy.py --json out.json --markdown out.md --names gelu elu

Runs on whatever backend jaxlib selects (CPU or GPU).  torch is optional: when
it is installed its CPU equivalents are measured too.  The exit status is 1 when
any jax_activations record misses the bar (see ``jax_activations._accuracy``).
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import platform
import sys
import time

import jax
import numpy as np
import scipy

from jax_activations import _accuracy


def _versions() -> str:
    parts = [f"python {platform.python_version()}", f"jax {jax.__version__}"]
    try:
        import jaxlib

        parts.append(f"jaxlib {jaxlib.__version__}")
    except ImportError:
        pass
    parts += [f"numpy {np.__version__}", f"scipy {scipy.__version__}"]
    try:
        torch = importlib.import_module("torch")
        parts.append(f"torch {torch.__version__}")
    except ImportError:
        parts.append("torch not installed")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="coarse grid and default parameters only (< 60 s)")
    parser.add_argument("--json", type=pathlib.Path, help="write the records to this JSON file")
    parser.add_argument("--markdown", type=pathlib.Path, help="write the markdown report to this file")
    parser.add_argument("--names", nargs="+", help="only these activations (names or aliases)")
    parser.add_argument(
        "--include",
        nargs="+",
        default=list(_accuracy.LIBRARIES),
        choices=_accuracy.LIBRARIES,
        help="libraries to measure (default: all; torch is skipped when missing)",
    )
    args = parser.parse_args(argv)

    device = jax.devices()[0]
    header = [
        f"backend: {jax.default_backend()}, device: {device.device_kind} ({platform.machine()}, {platform.system()})",
        f"versions: {_versions()}",
        f"grid: {'quick' if args.quick else 'dense'}",
    ]
    print("\n".join(header), flush=True)
    start = time.perf_counter()
    results = _accuracy.measure(
        names=args.names,
        include=tuple(args.include),
        quick=args.quick,
        progress=lambda msg: print(f"  measuring {msg}", file=sys.stderr, flush=True),
    )
    elapsed = time.perf_counter() - start
    md = _accuracy.to_markdown(results)
    print()
    print(md)
    print(f"({len(results)} records in {elapsed:.1f} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(_accuracy.to_json(results) + "\n")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text("\n".join(f"{h}  " for h in header) + "\n\n" + md)
    fails = _accuracy.meets_bar(results)
    if fails:
        print(f"{len(fails)} jax_activations record(s) miss the bar", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
