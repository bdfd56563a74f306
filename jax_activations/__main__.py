"""Command line: ``python -m jax_activations [list|plot|check|bench] ...``.

* ``list``  every registered activation: name, aliases, parameters, formula, kink convention.
* ``plot``  activations (and derivatives) on one figure, written to a PNG.
* ``gallery`` every elementwise activation on a grid of small plots (the README's picture).
* ``check`` the accuracy harness on the backend jaxlib selected; non-zero exit if the bar fails.
* ``bench`` the quick speed table against jax.nn on the current backend.

Bad arguments print one line and exit with status 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn


class _UsageError(Exception):
    """A bad command-line argument: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message} (see --help)")


def _backend() -> str:
    import jax

    devs = jax.devices()
    return f"{jax.default_backend()} ({len(devs)} x {devs[0].device_kind}), jax {jax.__version__}"


def _fmt_default(v: Any) -> str:
    if isinstance(v, float):
        if v == 1 / 8:
            return "1/8"
        if v == 1 / 3:
            return "1/3"
        return f"{v:g}"
    if v is _required():
        return "(required)"
    return repr(v)


def _required() -> Any:
    import inspect

    return inspect.Parameter.empty


def _rows() -> list[dict[str, Any]]:
    import jax_activations as ja

    rows = []
    for s in ja.specs():
        rows.append(
            {
                "name": s.name,
                "aliases": list(s.aliases),
                "family": s.family,
                "kind": s.kind,
                "params": {k: (None if v is _required() else v) for k, v in s.params.items()},
                "required": [k for k, v in s.params.items() if v is _required()],
                "static": list(s.static),
                "formula": s.formula,
                "kinks": s.kinks,
                "summary": s.summary,
            }
        )
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    import jax_activations as ja

    rows = _rows()
    if args.family:
        rows = [r for r in rows if r["family"] == args.family or r["kind"] == args.family]
        if not rows:
            fams = sorted({s.family for s in ja.specs()} | {s.kind for s in ja.specs()})
            raise _UsageError(f"list: unknown family {args.family!r}; choose from {', '.join(fams)}")
    if args.json:
        print(json.dumps({"backend": _backend(), "activations": rows}, indent=2, default=str))
        return 0
    print(f"jax_activations {ja.__version__}: {len(rows)} activations on {_backend()}\n")
    w_name = max(len(r["name"]) for r in rows)
    w_par = min(44, max(len(_params_text(r)) for r in rows))
    print(f"{'name':<{w_name}}  {'parameters (defaults)':<{w_par}}  formula")
    print(f"{'-' * w_name}  {'-' * w_par}  {'-' * 40}")
    for r in rows:
        name = r["name"]
        print(f"{name:<{w_name}}  {_params_text(r):<{w_par}}  {r['formula']}")
        extra = []
        if r["aliases"]:
            extra.append("aliases: " + ", ".join(r["aliases"]))
        if r["kinks"] and not args.brief:
            extra.append("kinks: " + r["kinks"])
        for e in extra:
            print(f"{'':<{w_name}}  {'':<{w_par}}  {e}")
    print("\nOne line per activation: --brief; machine-readable: --json")
    return 0


def _params_text(r: dict[str, Any]) -> str:
    parts = []
    for k, v in r["params"].items():
        parts.append(f"{k}" if k in r["required"] else f"{k}={_fmt_default(v)}")
    return ", ".join(parts) if parts else "-"


def _parse_value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def cmd_plot(args: argparse.Namespace) -> int:
    import jax_activations as ja

    lo, hi = args.range
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise _UsageError(f"plot: --range {lo:g} {hi:g} is not allowed; expected two finite numbers LO < HI")
    out = args.output
    directory = os.path.dirname(os.path.abspath(out)) or "."
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise _UsageError(f"plot: cannot write {out!r}: directory {directory!r} does not exist or is not writable")
    if not out.lower().endswith(".png"):
        raise _UsageError(f"plot: -o {out!r} must name a .png file")
    params: dict[str, Any] = {}
    for item in args.param or []:
        if "=" not in item:
            raise _UsageError(f"plot: --param {item!r} must look like name=value")
        k, v = item.split("=", 1)
        params[k.strip()] = _parse_value(v.strip())
    acts = []
    used: set[str] = set()
    for name in args.names:
        try:
            s = ja.spec(name)
        except ValueError as e:
            raise _UsageError(f"plot: {e}") from None
        if s.kind == "axis":
            raise _UsageError(f"plot: {s.name!r} normalizes along an axis; plot takes elementwise activations")
        mine = {k: v for k, v in params.items() if k in s.params}
        used |= set(mine)
        missing = [k for k, v in s.params.items() if v is _required() and k not in mine and k != "key"]
        if missing:
            raise _UsageError(f"plot: {s.name!r} needs --param {missing[0]}=VALUE")
        try:
            act = ja.get(s.name, **mine) if mine else s.fn
        except (ValueError, TypeError) as e:
            raise _UsageError(f"plot: {e}") from None
        label = repr(act) if mine else s.name
        acts.append((label, act))
    unused = set(params) - used
    if unused:
        raise _UsageError(f"plot: --param {sorted(unused)[0]!r} is not a parameter of {', '.join(args.names)}")
    from jax_activations import _plot

    _plot.plot(acts, lo=lo, hi=hi, grad=args.grad, path=out, title=args.title)
    print(f"wrote {out}")
    return 0


def cmd_gallery(args: argparse.Namespace) -> int:
    import jax_activations as ja

    out = args.output
    directory = os.path.dirname(os.path.abspath(out)) or "."
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise _UsageError(f"gallery: cannot write {out!r}: directory {directory!r} does not exist or is not writable")
    if not out.lower().endswith(".png"):
        raise _UsageError(f"gallery: -o {out!r} must name a .png file")
    names = [
        s.name
        for s in ja.specs()
        if s.builtin and s.kind == "elementwise" and all(v is not _required() for v in s.params.values())
    ]
    from jax_activations import _plot

    _plot.gallery(names, out, cols=args.cols)
    print(f"wrote {out} ({len(names)} activations)")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    names = _check_names(args.names)
    from jax_activations import _accuracy

    print(f"accuracy check on {_backend()}", file=sys.stderr)
    bar = _Progress("accuracy")
    try:
        results = _accuracy.measure(names=names, quick=args.quick, include=tuple(args.compare), progress=bar)
    finally:
        bar.close()
    print(_accuracy.to_markdown(results))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1, default=str)
    failures = _accuracy.meets_bar(results)
    if failures:
        print(f"\nFAILED: {len(failures)} measurement(s) above the bar:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    print("\nall jax_activations rows meet the bar", file=sys.stderr)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    names = _check_names(args.names)
    from jax_activations import _speed

    print(f"speed on {_backend()} (ratios: time / jax.nn time; < 1 is faster)", file=sys.stderr)
    sizes = (2**16, 2**20) if not args.quick else (2**16,)
    total = len(_speed.cases(names)) * len(sizes) * 2
    bar = _Progress("bench", total=total)
    try:
        _, table = _speed.quick_table(names=names, sizes=sizes, progress=bar)
    finally:
        bar.close()
    print(table)
    return 0


def _check_names(names: Sequence[str] | None) -> list[str] | None:
    import jax_activations as ja

    if not names:
        return None
    out = []
    for n in names:
        try:
            out.append(ja.spec(n).name)
        except ValueError as e:
            raise _UsageError(str(e)) from None
    return out


class _Progress:
    """A progress bar on stderr (tqdm), fed one short message per finished step."""

    def __init__(self, desc: str, total: int | None = None):
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True, unit="step")

    def __call__(self, message: str) -> None:
        self._bar.set_postfix_str(message[:40], refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m jax_activations", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    pl = sub.add_parser("list", help="every registered activation (the default command)")
    pl.add_argument("--json", action="store_true", help="machine-readable output")
    pl.add_argument("--family", help="only one family or kind (e.g. rectifier, learnable, axis)")
    pl.add_argument("--brief", action="store_true", help="leave out the kink conventions")
    pl.set_defaults(func=cmd_list)

    pp = sub.add_parser("plot", help="plot activations (and derivatives) to a PNG")
    pp.add_argument("names", nargs="+", metavar="NAME", help="registered names or aliases")
    pp.add_argument("--grad", action="store_true", help="also plot the derivatives (dashed)")
    pp.add_argument("--range", nargs=2, type=float, default=(-4.0, 4.0), metavar=("LO", "HI"))
    pp.add_argument("--param", action="append", metavar="k=v", help="a hyperparameter, e.g. --param alpha=0.5")
    pp.add_argument("--title", default=None)
    pp.add_argument("-o", "--output", required=True, metavar="FILE.png")
    pp.set_defaults(func=cmd_plot)

    pg = sub.add_parser("gallery", help="every elementwise activation and its derivative on a grid of small plots")
    pg.add_argument("-o", "--output", required=True, metavar="FILE.png")
    pg.add_argument("--cols", type=int, default=6, help="plots per row (default 6)")
    pg.set_defaults(func=cmd_gallery)

    pc = sub.add_parser("check", help="accuracy harness on this backend; exit 1 if the bar fails")
    pc.add_argument("--quick", action="store_true", help="a coarser grid (seconds instead of minutes)")
    pc.add_argument("--names", nargs="+", metavar="NAME")
    pc.add_argument(
        "--compare",
        nargs="*",
        default=["jax_activations"],
        choices=["jax_activations", "jax.nn", "torch"],
        help="libraries to measure side by side (default: jax_activations only)",
    )
    pc.add_argument("--json", metavar="PATH", help="also write the raw results")
    pc.set_defaults(func=cmd_check)

    pb = sub.add_parser("bench", help="quick speed table against jax.nn on this backend")
    pb.add_argument("--names", nargs="+", metavar="NAME")
    pb.add_argument("--quick", action="store_true", help="one size (2^16) instead of two")
    pb.set_defaults(func=cmd_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["list", *(argv or [])])
        return int(args.func(args) or 0)
    except _UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `python -m jax_activations list | head`: the reader has left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError) as e:
        print(f"python -m jax_activations: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
