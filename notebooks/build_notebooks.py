"""Build the research notebooks in this folder from the cell sources below.

The ``.ipynb`` files are generated (outputs stripped, fixed cell ids), so they are
small, reviewable and cannot drift from this script: ``tests/test_notebooks.py``
checks that the files on disk equal what :func:`render` returns, then executes
each one.

    python notebooks/build_notebooks.py           # (re)write the notebooks
    python notebooks/build_notebooks.py --check   # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]  # ("md" | "code", source)


def md(text: str) -> Cell:
    return ("md", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    return ("code", textwrap.dedent(text).strip("\n"))


# --------------------------------------------------------------------------- #
# 01 gallery
# --------------------------------------------------------------------------- #

GALLERY: list[Cell] = [
    md("""
    # Gallery: every activation, its derivative, the registry and configured activations

    This notebook draws every registered elementwise activation with its derivative
    (computed by `jax.grad`), lists what the registry knows about each one, and shows
    configured activations: a function with fixed hyperparameters that serializes to
    JSON and back.
    """),
    code("""
    import json

    import jax
    import jax.numpy as jnp
    import matplotlib.pyplot as plt
    import numpy as np

    import jax_activations as ja
    from jax_activations.reference import ROWS
    """),
    md("""
    ## The registry

    Every activation is registered by name with its defaults, formula and the
    convention at each kink. `ja.names(kind=...)` lists them by kind: `elementwise`
    (the gallery below), `axis` (softmax family), `learnable` (parameters as
    arguments; see `03_learnable.ipynb`), `random` and `combinator`
    (see `04_composition.ipynb`).
    """),
    code("""
    kinds = sorted({ja.spec(n).kind for n in ja.names()})
    for kind in kinds:
        print(f"{kind:12s}", ", ".join(ja.names(kind=kind)))
    """),
    code("""
    elementwise = ja.names(kind="elementwise")
    print(f"{'name':18s} {'defaults':40s} formula")
    for name in elementwise:
        s = ja.spec(name)
        defaults = ", ".join(f"{k}={v!r}" for k, v in s.params.items()) or "-"
        print(f"{name:18s} {defaults:40s} {s.formula}")
    """),
    md("""
    `ja.spec(name)` is the full record, including aliases (the jax.nn spellings) and
    the kink convention:
    """),
    code("""
    s = ja.spec("leaky_relu")
    print(s.name, s.family, s.params, s.static)
    print("kinks:", s.kinks)
    print("silu aliases:", ja.spec("silu").aliases, "| softsign aliases:", ja.spec("softsign").aliases)
    assert ja.swish is ja.silu and ja.soft_sign is ja.softsign
    """),
    md("""
    Every elementwise activation has a float64 reference row written from its
    formula (`jax_activations.reference.ROWS`); the tests and `02_numerics.ipynb`
    measure against it.
    """),
    code("""
    missing = [n for n in elementwise if n not in ROWS]
    assert not missing, missing
    print(len(elementwise), "elementwise activations, all with a float64 reference")
    """),
    md("""
    ## The gallery

    Each panel shows `f(x)` (solid) and `f'(x)` from `jax.grad` (dashed) on
    [-4, 4] with the default hyperparameters.
    """),
    code("""
    x = jnp.linspace(-4.0, 4.0, 401, dtype=jnp.float32)


    def value_and_slope(f):
        dy = jax.vmap(jax.grad(lambda v: f(v)))(x)
        return np.asarray(f(x)), np.asarray(dy)


    curves = {name: value_and_slope(ja.get(name)) for name in elementwise}

    cols = 6
    rows = -(-len(elementwise) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 1.8 * rows), squeeze=False)
    for i, name in enumerate(elementwise):
        ax = axes.flat[i]
        y, dy = curves[name]
        ax.plot(x, y, color="C0", lw=1.6)
        ax.plot(x, dy, color="C1", lw=1.0, ls="--")
        ax.axhline(0, color="0.7", lw=0.5)
        ax.axvline(0, color="0.7", lw=0.5)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=6)
        ax.set_ylim(-2.2, 4.2)
    for ax in list(axes.flat)[len(elementwise):]:
        ax.axis("off")
    fig.suptitle("f(x) solid, f'(x) dashed", fontsize=10)
    fig.tight_layout()
    plt.show()
    """),
    md("""
    The values and derivatives are finite everywhere on the grid, and each curve
    matches its float64 reference there:
    """),
    code("""
    x64 = np.asarray(x, dtype=np.float64)
    for name, (y, dy) in curves.items():
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy)), name
        ref = ROWS[name].f(x64)
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6, err_msg=name)
    print("all", len(curves), "curves agree with their references")
    """),
    md("""
    ## Configured activations

    `ja.get(name, **config)` fixes hyperparameters and returns a configured
    activation: callable like the function, comparable and hashable by value (so it
    can be a static argument or a Flax field), and serializable.
    """),
    code("""
    act = ja.get("leaky_relu", negative_slope=0.1)
    print(repr(act))
    v = jnp.array([-10.0, -1.0, 0.0, 5.0])
    print(act(v))
    np.testing.assert_array_equal(act(v), np.float32([-1.0, -0.1, 0.0, 5.0]))
    """),
    code("""
    config = ja.serialize(act)
    text = json.dumps(config)
    print(text)
    again = ja.deserialize(json.loads(text))
    assert again == act and hash(again) == hash(act)
    np.testing.assert_array_equal(again(v), act(v))
    # built-in names serialize to their canonical name
    print(ja.serialize(ja.swish), ja.serialize("identity"))
    assert ja.serialize(ja.swish) == "silu"
    """),
    md("""
    Keras 3 semantics for `relu`, with the tf.keras argument names accepted too.
    The expected values are Keras' own for `x = [-10, -5, 0, 5, 10]`.
    """),
    code("""
    v = jnp.array([-10.0, -5.0, 0.0, 5.0, 10.0])
    cases = {
        "negative_slope=0.5": (dict(negative_slope=0.5), [-5, -2.5, 0, 5, 10]),
        "max_value=5": (dict(max_value=5.0), [0, 0, 0, 5, 5]),
        "threshold=5": (dict(threshold=5.0), [0, 0, 0, 0, 10]),
        "all three": (dict(negative_slope=0.5, max_value=5.0, threshold=5.0), [-7.5, -5, -2.5, 0, 5]),
    }
    for label, (cfg, want) in cases.items():
        got = ja.get("relu", **cfg)(v)
        print(f"{label:20s}", got)
        np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(ja.relu(v, alpha=0.5), cases["negative_slope=0.5"][1])  # tf.keras spelling
    """),
    md("""
    Bad names and bad hyperparameters fail at once with a message that names the
    argument, the value and what is allowed:
    """),
    code("""
    for bad in (lambda: ja.get("gelus"), lambda: ja.get("elu", alpha=float("nan")), lambda: ja.get("leaky_relu", slope=1)):
        try:
            bad()
        except (TypeError, ValueError) as e:
            print(f"{type(e).__name__}: {e}")
        else:
            raise AssertionError("expected an error")
    """),
    md("""
    ## One family, several configurations

    Hyperparameters change the shape; numeric ones may also be traced arrays (so
    they can be swept under `vmap` or learned), static ones (like gelu's
    `approximate`) select a different program.
    """),
    code("""
    fig, axes = plt.subplots(1, 3, figsize=(11, 3))
    for slope in (0.0, 0.01, 0.2, 0.5):
        axes[0].plot(x, ja.leaky_relu(x, negative_slope=slope), label=f"negative_slope={slope}")
    for alpha in (0.5, 1.0, 2.0):
        axes[1].plot(x, ja.elu(x, alpha=alpha), label=f"alpha={alpha}")
    axes[2].plot(x, ja.gelu(x), label="gelu (exact, default)")
    axes[2].plot(x, 1000 * (ja.gelu(x, approximate=True) - ja.gelu(x)), label="1000 x (tanh form - exact)")
    for ax, title in zip(axes, ("leaky_relu", "elu", "gelu"), strict=True):
        ax.set_title(title)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.show()
    """),
    code("""
    # a sweep over a traced hyperparameter: one compiled program for all slopes
    slopes = jnp.array([0.0, 0.1, 0.2])
    sweep = jax.vmap(lambda s: ja.leaky_relu(jnp.array([-1.0, 2.0]), negative_slope=s))(slopes)
    print(sweep)
    np.testing.assert_allclose(sweep, [[0.0, 2.0], [-0.1, 2.0], [-0.2, 2.0]], rtol=1e-6)
    """),
]

# --------------------------------------------------------------------------- #
# 02 numerics
# --------------------------------------------------------------------------- #

NUMERICS: list[Cell] = [
    md("""
    # Numerics: kinks, tails and half precision

    Three measurements against float64 references written from the formulas
    (`jax_activations.reference`), in float32 units in the last place (ULP; see
    `jax_activations.reference.ulp`):

    1. the gradient at each kink, with its stated convention, next to jax.nn's;
    2. the tails where a composite formula cancels or underflows, for
       `jax_activations` and for jax.nn (and PyTorch when it is installed);
    3. bfloat16 and float16 values against the correctly rounded result.
    """),
    code("""
    import jax
    import jax.numpy as jnp
    import matplotlib.pyplot as plt
    import ml_dtypes
    import numpy as np

    import jax_activations as ja
    from jax_activations.reference import ROWS
    from jax_activations.reference.ulp import hull, ulp_error

    try:
        import torch
    except ImportError:
        torch = None
    print("jax", jax.__version__, "| torch", torch.__version__ if torch else "not installed")
    """),
    md("""
    ## Gradients at kinks

    At a kink the derivative is a convention. Each reference row states it; the
    table shows ours and jax.nn's (where jax.nn has the function and the
    configuration; `-` where it has not). The convention column is asserted.
    """),
    code("""
    JAX_NN = {"softsign": "soft_sign"}


    def grad_at(f, x0, params):
        return float(jax.grad(lambda v: f(v, **params))(jnp.float32(x0)))


    print(f"{'function':17s} {'params':48s} {'x':>5s} {'convention':>10s} {'ours':>10s} {'jax.nn':>8s}")
    for name in ja.names(kind="elementwise"):
        theirs = getattr(jax.nn, JAX_NN.get(name, name), None)
        for x0, params, want in ROWS[name].kinks:
            ours = grad_at(ja.get(name), x0, params)
            try:
                other = f"{grad_at(theirs, x0, params):8.4g}" if theirs is not None else "-"
            except TypeError:  # jax.nn's function has no such hyperparameter
                other = "-"
            shown = str(params) if params else ""
            print(f"{name:17s} {shown:48s} {x0:5g} {want:10.4g} {ours:10.4g} {other:>8s}")
            np.testing.assert_allclose(ours, want, rtol=1e-6, err_msg=f"{name}{params} at {x0}")
    """),
    md("""
    Where the conventions differ from PyTorch: `leaky_relu'(0)` is 1 here and in
    jax.nn and Keras (PyTorch: the slope); `hard_tanh'(±1)` is 1 here and in jax.nn
    (PyTorch: 0). A jax.nn value of 0.25 for `sparse_sigmoid'(±1)` comes from
    `clip`, whose gradient splits ties between its two sides; here each kink has
    one stated one-sided value.

    ## Tails: where composite formulas lose the answer

    Each case below evaluates a value or a `jax.grad` on a float32 grid over the
    region where the naive formula breaks, and measures the error against the
    float64 reference row. The reasons:

    | case | what goes wrong in the composite form |
    |---|---|
    | `sigmoid'` | `s (1 - s)` is 0 once `s` rounds to 1 (x > 16.6) |
    | `tanh'` | `1 - tanh(x)²` is 0 for \\|x\\| > 9 |
    | `elu'` | the derivative of `expm1` is taken as `y + 1`, which is 0 for x < -17 |
    | gelu, tanh form | `1 + tanh(u)` cancels for x < -5.5 |
    | `squareplus` | `x + sqrt(x² + b)` cancels for x ≪ 0 |
    | `softsign'` | autodiff of `x / (1 + \\|x\\|)` subtracts two nearly equal terms for large \\|x\\| |
    | `silu` near -90 | `sigmoid(x)` is subnormal below x ≈ -87 and XLA on CPU flushes it to 0, while `x · sigmoid(x)` is still a normal number |
    """),
    code("""
    def gelu_tanh(x):
        return ja.gelu(x, approximate=True)


    def jnn_gelu_tanh(x):
        return jax.nn.gelu(x, approximate=True)


    # (label, ours, jax.nn, torch name, reference row, params, value or grad, x range)
    CASES = [
        ("sigmoid'", ja.sigmoid, jax.nn.sigmoid, "sigmoid", "sigmoid", {}, "grad", (-100.0, 100.0)),
        ("tanh'", ja.tanh, jnp.tanh, "tanh", "tanh", {}, "grad", (-50.0, 50.0)),
        ("elu'", ja.elu, jax.nn.elu, "elu", "elu", {}, "grad", (-100.0, 5.0)),
        ("gelu (tanh form)", gelu_tanh, jnn_gelu_tanh, "gelu_tanh", "gelu", {"approximate": True}, "value", (-12.0, 3.0)),
        ("squareplus", ja.squareplus, jax.nn.squareplus, None, "squareplus", {}, "value", (-1e5, 10.0)),
        ("softsign'", ja.softsign, jax.nn.soft_sign, "softsign", "softsign", {}, "grad", (-1e4, 1e4)),
        ("silu", ja.silu, jax.nn.silu, "silu", "silu", {}, "value", (-100.0, -80.0)),
        ("silu'", ja.silu, jax.nn.silu, "silu", "silu", {}, "grad", (-100.0, -80.0)),
    ]


    def evaluate(f, x, quantity):
        if quantity == "value":
            return np.asarray(jax.jit(f)(x))
        return np.asarray(jax.jit(jax.vmap(jax.grad(f)))(x))


    def evaluate_torch(name, x, quantity):
        fns = {
            "sigmoid": torch.sigmoid,
            "tanh": torch.tanh,
            "elu": torch.nn.functional.elu,
            "gelu_tanh": lambda t: torch.nn.functional.gelu(t, approximate="tanh"),
            "softsign": torch.nn.functional.softsign,
            "silu": torch.nn.functional.silu,
        }
        t = torch.tensor(x, dtype=torch.float32, requires_grad=quantity == "grad")
        y = fns[name](t)
        if quantity == "value":
            return y.detach().numpy().astype(np.float64)
        y.sum().backward()
        return t.grad.numpy().astype(np.float64)
    """),
    code("""
    results = {}
    for label, ours, theirs, torch_name, row, params, quantity, (lo, hi) in CASES:
        x = np.linspace(lo, hi, 4001).astype(np.float32)
        ref = ROWS[row].f if quantity == "value" else ROWS[row].df
        ref_lo, ref_hi = hull(lambda v, ref=ref, params=params: ref(v, **params), x)
        errs = {
            "jax_activations": ulp_error(evaluate(ours, x, quantity), ref_lo, ref_hi),
            "jax.nn": ulp_error(evaluate(theirs, x, quantity), ref_lo, ref_hi),
        }
        if torch is not None and torch_name is not None:
            errs["torch"] = ulp_error(evaluate_torch(torch_name, x, quantity), ref_lo, ref_hi)
        results[label] = (x, errs)

    libs = ["jax_activations", "jax.nn"] + (["torch"] if torch is not None else [])
    print(f"{'max ULP error':18s}" + "".join(f"{lib:>18s}" for lib in libs))
    for label, (_, errs) in results.items():
        print(f"{label:18s}" + "".join(f"{errs[lib].max():18.4g}" if lib in errs else f"{'-':>18s}" for lib in libs))
    """),
    code("""
    fig, axes = plt.subplots(2, 4, figsize=(14, 6))
    for ax, (label, (x, errs)) in zip(axes.flat, results.items(), strict=True):
        for i, (lib, e) in enumerate(errs.items()):
            ax.plot(x, np.maximum(e, 0.1), lw=1.2, color=f"C{i}", label=lib)
        ax.set_yscale("log")
        ax.set_ylim(0.05, 1e9)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("x")
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("ULP error (0 drawn at 0.1)")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    """),
    md("""
    The claim, asserted: ours stays within 4 ULP for values and 8 ULP for
    gradients over every one of these tails.
    """),
    code("""
    for label, (_, errs) in results.items():
        bar = 8 if label.endswith("'") else 4
        worst = errs["jax_activations"].max()
        assert worst <= bar, f"{label}: {worst} ULP > {bar}"
    print("ours: within the bar on every tail")
    """),
    md("""
    ## Half precision

    float16 and bfloat16 inputs are computed in float32 and rounded once. Below,
    every finite value of each dtype goes through the activation, and the result is
    compared with the float64 reference rounded to the dtype (the correctly rounded
    answer), in ULP of that dtype. jax.nn computes in the low precision itself.
    """),
    code("""
    HALF = {
        "silu": (ja.silu, jax.nn.silu),
        "gelu": (ja.gelu, lambda v: jax.nn.gelu(v, approximate=False)),
        "mish": (ja.mish, jax.nn.mish),
        "softplus": (ja.softplus, jax.nn.softplus),
        "sigmoid": (ja.sigmoid, jax.nn.sigmoid),
        "elu": (ja.elu, jax.nn.elu),
    }


    def every_value(dtype):
        bits = np.arange(2**16, dtype=np.uint16).view(dtype)
        return bits[np.isfinite(bits.astype(np.float32))]


    half = {}
    for dtype in (ml_dtypes.bfloat16, np.float16):
        xs = every_value(dtype)
        for name, (ours, theirs) in HALF.items():
            rounded = ROWS[name].f(xs.astype(np.float64)).astype(dtype).astype(np.float64)
            e_ours = ulp_error(np.asarray(ours(jnp.asarray(xs))).astype(np.float64), rounded, dtype=dtype)
            e_jnn = ulp_error(np.asarray(jax.jit(theirs)(jnp.asarray(xs))).astype(np.float64), rounded, dtype=dtype)
            half[(np.dtype(dtype).name, name)] = (xs, e_ours, e_jnn)

    print(f"{'dtype':9s} {'function':9s} {'ours max':>9s} {'ours wrong':>11s} {'jax.nn max':>11s} {'jax.nn wrong':>13s}")
    for (dt, name), (_, e_ours, e_jnn) in half.items():
        print(f"{dt:9s} {name:9s} {e_ours.max():9.3g} {(e_ours > 0).mean():11.2%} {e_jnn.max():11.3g} {(e_jnn > 0).mean():13.2%}")
    """),
    code("""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
    for ax, name in zip(axes, ("silu", "gelu"), strict=True):
        xs, e_ours, e_jnn = half[("bfloat16", name)]
        xf = xs.astype(np.float32)
        keep = np.abs(xf) < 200
        ax.plot(xf[keep], e_jnn[keep], ".", ms=2, label="jax.nn", color="C1")
        ax.plot(xf[keep], e_ours[keep], ".", ms=2, label="jax_activations", color="C0")
        ax.set_title(f"bfloat16 {name}: error vs the correctly rounded value")
        ax.set_xlabel("x")
        ax.set_yscale("symlog", linthresh=1)
        ax.set_ylabel("bfloat16 ULP")
        ax.legend(fontsize=8, markerscale=4)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.show()
    """),
    md("""
    The claim, asserted: ours is within 1 ULP of the correctly rounded value for
    every finite half-precision input.
    """),
    code("""
    for (dt, name), (_, e_ours, _) in half.items():
        assert e_ours.max() <= 1, (dt, name, e_ours.max())
    print("ours: within 1 ULP of correctly rounded on all", len(half), "cases")
    """),
]

# --------------------------------------------------------------------------- #
# 03 learnable
# --------------------------------------------------------------------------- #

LEARNABLE: list[Cell] = [
    md("""
    # Learnable activations in a Flax model

    A small MLP on scikit-learn's 8x8 handwritten digits (shipped with the package,
    no download) with five activation layers from `jax_activations.linen`: a fixed
    ReLU, PReLU (a learned negative slope per channel), Rational (a learned
    rational function, starting from leaky ReLU), Snake (a learned frequency per
    channel) and Mix (a learned softmax-weighted blend of relu, tanh and silu per
    channel). Same seed, data split, optimizer and schedule for all; then the
    accuracy table and the shapes the activations learned.
    """),
    code("""
    import flax.linen as nn
    import jax
    import jax.numpy as jnp
    import matplotlib.pyplot as plt
    import numpy as np
    import optax
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    import jax_activations as ja
    from jax_activations import linen as jl
    """),
    md("""
    ## Data

    1797 images of 8x8 pixels with values 0..16, scaled to [0, 1]; a stratified
    70/30 split with a fixed seed.
    """),
    code("""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = map(
        jnp.asarray, train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    )
    print("train", X_train.shape, "test", X_test.shape, "classes", np.unique(y).size)
    """),
    md("""
    ## The model

    Two hidden layers of 32 units; the activation layer is the only thing that
    changes. The layers create their own parameters (one per channel where it
    applies) on the first call.
    """),
    code("""
    ACTIVATIONS = {
        "ReLU": lambda: jl.Activation("relu"),
        "PReLU": lambda: jl.PReLU(),
        "Rational": lambda: jl.Rational(approximates="leaky_relu"),
        "Snake": lambda: jl.Snake(),
        "Mix": lambda: jl.Mix(activations=("relu", "tanh", "silu"), per_channel=True),
    }


    class MLP(nn.Module):
        activation: str
        width: int = 32

        @nn.compact
        def __call__(self, x):
            for _ in range(2):
                x = ACTIVATIONS[self.activation]()(nn.Dense(self.width)(x))
            return nn.Dense(10)(x)


    print(MLP("PReLU").tabulate(jax.random.key(0), X_train[:1], depth=1, console_kwargs={"width": 120}))
    """),
    md("""
    ## Training

    Adam (learning rate 3e-3), minibatches of 64, 20 epochs, all inside one
    `jax.jit` (a `lax.scan` over epochs and batches). The activations' parameters
    train with the rest.
    """),
    code("""
    EPOCHS, BATCH, SEED = 20, 64, 0


    def train(kind):
        model = MLP(kind)
        params = model.init(jax.random.key(SEED), X_train[:1])["params"]
        tx = optax.adam(3e-3)
        n_used = (len(X_train) // BATCH) * BATCH

        def loss_fn(p, xb, yb):
            logits = model.apply({"params": p}, xb)
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

        def step(carry, idx):
            p, opt_state = carry
            loss, grads = jax.value_and_grad(loss_fn)(p, X_train[idx], y_train[idx])
            updates, opt_state = tx.update(grads, opt_state, p)
            return (optax.apply_updates(p, updates), opt_state), loss

        def epoch(carry, key):
            batches = jax.random.permutation(key, len(X_train))[:n_used].reshape(-1, BATCH)
            carry, losses = jax.lax.scan(step, carry, batches)
            return carry, losses.mean()

        @jax.jit
        def fit(p, key):
            (p, _), losses = jax.lax.scan(epoch, (p, tx.init(p)), jax.random.split(key, EPOCHS))
            return p, losses

        initial = params
        params, losses = fit(params, jax.random.key(SEED + 1))

        def accuracy(xs, ys):
            return float((model.apply({"params": params}, xs).argmax(-1) == ys).mean())

        return {
            "initial": initial,
            "params": params,
            "losses": np.asarray(losses),
            "train": accuracy(X_train, y_train),
            "test": accuracy(X_test, y_test),
        }


    runs = {kind: train(kind) for kind in ACTIVATIONS}
    """),
    md("""
    ## Results
    """),
    code("""
    def count(tree):
        return sum(int(np.size(v)) for v in jax.tree.leaves(tree))


    print(f"{'activation':10s} {'act. params':>11s} {'all params':>10s} {'final loss':>10s} {'train acc':>9s} {'test acc':>8s}")
    for kind, r in runs.items():
        act_params = count({k: v for k, v in r["params"].items() if not k.startswith("Dense")})
        print(
            f"{kind:10s} {act_params:11d} {count(r['params']):10d} {r['losses'][-1]:10.4f} "
            f"{r['train']:9.2%} {r['test']:8.2%}"
        )
    """),
    code("""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for kind, r in runs.items():
        ax.plot(np.arange(1, EPOCHS + 1), r["losses"], label=kind)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.legend()
    ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    Asserted: every model learns the task (test accuracy above 90%, training loss
    down by at least a factor of 10), and the learnable activations' parameters
    moved away from their initial values.
    """),
    code("""
    for kind, r in runs.items():
        assert r["test"] > 0.90, (kind, r["test"])
        assert r["losses"][-1] < r["losses"][0] / 10, (kind, r["losses"][[0, -1]])
        act_layers = [k for k in r["params"] if not k.startswith("Dense")]
        assert (kind == "ReLU") == (not act_layers), (kind, act_layers)
        for layer in act_layers:
            moved = jax.tree.map(lambda a, b: float(jnp.max(jnp.abs(a - b))), r["params"][layer], r["initial"][layer])
            assert max(jax.tree.leaves(moved)) > 1e-3, (kind, layer, moved)
    print("all models learned; all activation parameters moved")
    """),
    md("""
    ## What the activations learned

    Each learnable layer is evaluated on a grid with its trained parameters: one
    thin line per channel (PReLU, Snake, Mix have per-channel parameters; Rational
    has one function per layer), and the initial shape dashed.
    """),
    code("""
    grid = jnp.linspace(-4.0, 4.0, 401)


    def shape_of(kind, layer_params):
        layer = ACTIVATIONS[kind]()
        width = MLP(kind).width
        return np.asarray(layer.apply({"params": layer_params}, jnp.tile(grid[:, None], (1, width))))


    learnable = [k for k in ACTIVATIONS if k != "ReLU"]
    fig, axes = plt.subplots(2, len(learnable), figsize=(3.3 * len(learnable), 5.5), squeeze=False)
    for col, kind in enumerate(learnable):
        r = runs[kind]
        names = sorted(k for k in r["params"] if not k.startswith("Dense"))
        for row, name in enumerate(names):
            ax = axes[row, col]
            ax.plot(grid, shape_of(kind, r["params"][name]), color="C0", lw=0.6, alpha=0.6)
            ax.plot(grid, shape_of(kind, r["initial"][name])[:, 0], color="k", lw=1.2, ls="--", label="initial")
            ax.set_title(f"{kind}: {name}", fontsize=9)
            ax.grid(alpha=0.3)
            ax.set_ylim(-4, 4.5)
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    """),
    md("""
    The numbers behind the pictures: the learned PReLU slopes and Snake
    frequencies per layer, and the average blend Mix settled on.
    """),
    code("""
    def summary(a):
        a = np.asarray(a)
        return f"mean {a.mean():+.3f}  min {a.min():+.3f}  max {a.max():+.3f}"


    for layer, p in sorted(runs["PReLU"]["params"].items()):
        if "negative_slope" in p:
            print(f"PReLU {layer} negative_slope: {summary(p['negative_slope'])}  (initial 0.25)")
    for layer, p in sorted(runs["Snake"]["params"].items()):
        if "alpha" in p:
            print(f"Snake {layer} alpha:          {summary(p['alpha'])}  (initial 1.0)")
    for layer, p in sorted(runs["Mix"]["params"].items()):
        if "logits" in p:
            weights = np.asarray(jax.nn.softmax(p["logits"], axis=0)).mean(axis=1)
            print(f"Mix {layer} mean weights (relu, tanh, silu): {np.round(weights, 3)}")
            np.testing.assert_allclose(weights.sum(), 1.0, rtol=1e-5)
    """),
    md("""
    The trained layers are pure functions of their parameters: the same numbers
    come out of the registered function called directly, e.g.
    `ja.prelu(x, negative_slope)` for the PReLU layer.
    """),
    code("""
    p = runs["PReLU"]["params"]["PReLU_0"]
    x = jax.random.normal(jax.random.key(1), (5, 32))
    np.testing.assert_allclose(jl.PReLU().apply({"params": p}, x), ja.prelu(x, p["negative_slope"]), rtol=1e-6)
    print("PReLU layer == ja.prelu(x, negative_slope)")
    """),
]

# --------------------------------------------------------------------------- #
# 04 composition
# --------------------------------------------------------------------------- #

COMPOSITION: list[Cell] = [
    md("""
    # Composition and configs

    Activations as data: a Flax model whose activations come from a JSON config
    and serialize back to the same JSON; the combinators `compose`, `scaled` and
    `gated`, which build new activations that serialize too; and moving an
    existing Flax model from `jax.nn` to `jax_activations` by changing one line.
    """),
    code("""
    import json
    from collections.abc import Callable, Sequence
    from typing import Any

    import flax.linen as nn
    import jax
    import jax.numpy as jnp
    import numpy as np

    import jax_activations as ja
    from jax_activations import linen as jl
    from jax_activations.compose import compose, gated, scaled
    """),
    md("""
    ## A model configured from JSON

    The config lists one activation identifier per layer: a name, or
    `{"name": ..., "config": {...}}` for a configured one (combinators included).
    `ja.get` turns each into an activation; `ja.serialize` turns it back.
    """),
    code("""
    CONFIG = json.loads('''
    {
      "features": [32, 32, 16, 10],
      "activations": [
        "gelu",
        {"name": "leaky_relu", "config": {"negative_slope": 0.1}},
        {"name": "scaled", "config": {"function": "tanh", "scale": 1.7159, "input_scale": 0.6667}},
        "linear"
      ]
    }
    ''')


    class ConfigMLP(nn.Module):
        features: Sequence[int]
        activations: Sequence[Any]

        @nn.compact
        def __call__(self, x):
            for width, act in zip(self.features, self.activations, strict=True):
                x = jl.Activation(act)(nn.Dense(width)(x))
            return x

        def config(self):
            return {"features": list(self.features), "activations": [ja.serialize(ja.get(a)) for a in self.activations]}


    model = ConfigMLP(**CONFIG)
    x = jax.random.normal(jax.random.key(0), (4, 8))
    variables = model.init(jax.random.key(1), x)
    print(model.apply(variables, x).shape)
    print(model.tabulate(jax.random.key(1), x, depth=1, console_kwargs={"width": 120}))
    """),
    md("""
    The round trip: config → model → config gives the same JSON, and a model
    rebuilt from it computes the same numbers with the same parameters.
    """),
    code("""
    text = json.dumps(model.config(), sort_keys=True)
    print(text)
    assert json.loads(text) == CONFIG
    rebuilt = ConfigMLP(**json.loads(text))
    np.testing.assert_array_equal(rebuilt.apply(variables, x), model.apply(variables, x))
    """),
    md("""
    Each `Activation` layer carries its own config, so a layer-by-layer
    description is available too:
    """),
    code("""
    layer = jl.Activation("leaky_relu", negative_slope=0.1)
    print(layer, layer.get_config())
    assert layer.get_config() == {"class_name": "Activation", "config": {"identifier": CONFIG["activations"][1]}}
    """),
    md("""
    ## Combinators

    `compose(f, g)` is `f(g(x))`, `scaled(f, scale, shift, input_scale=, input_shift=)`
    is `scale * f(input_scale * x + input_shift) + shift`, and `gated(f)` splits
    `x = [a, b]` in halves along an axis and returns `a * f(b)` (the GLU family).
    Each returns a configured activation: it can be jitted, differentiated,
    serialized, nested, and used anywhere a name is accepted. The identities
    below are checked numerically.
    """),
    code("""
    v = jnp.linspace(-5.0, 5.0, 101)

    # 2 sigmoid(2x) - 1 = tanh(x)
    tanh_from_sigmoid = scaled("sigmoid", scale=2.0, shift=-1.0, input_scale=2.0)
    np.testing.assert_allclose(tanh_from_sigmoid(v), jnp.tanh(v), atol=2e-7)

    # mish(x) = x * tanh(softplus(x))
    tanh_softplus = compose("tanh", "softplus")
    np.testing.assert_allclose(v * tanh_softplus(v), ja.mish(v), rtol=1e-6, atol=1e-7)

    # gated(sigmoid) is GLU (second half gated, as in jax.nn.glu); gated(silu) is SwiGLU
    h = jax.random.normal(jax.random.key(2), (3, 8))
    np.testing.assert_allclose(gated("sigmoid")(h), jax.nn.glu(h), rtol=1e-6)
    a, b = jnp.split(h, 2, axis=-1)
    np.testing.assert_allclose(gated("silu")(h), a * jax.nn.silu(b), rtol=1e-6)
    print(gated("silu")(h).shape, "from", h.shape)
    """),
    code("""
    nested = compose(scaled("relu", scale=0.5), ja.get("leaky_relu", negative_slope=0.1))
    config = ja.serialize(nested)
    print(json.dumps(config, indent=1))
    again = ja.deserialize(json.loads(json.dumps(config)))
    assert again == nested
    np.testing.assert_array_equal(again(v), nested(v))

    # jit, grad and vmap compose with them like with any activation
    dv = jax.jit(jax.vmap(jax.grad(nested)))(v)
    np.testing.assert_allclose(dv, jnp.where(v >= 0, 0.5, 0.0))
    """),
    md("""
    Combinators plot like any activation:
    """),
    code("""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, f in {
        "tanh": jnp.tanh,
        "scaled(tanh, 1.7159, input_scale=2/3)": ja.get(CONFIG["activations"][2]),
        "compose(tanh, softplus)": tanh_softplus,
        "compose(scaled(relu, 0.5), leaky_relu(0.1))": nested,
    }.items():
        ax.plot(v, f(v), label=label)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    ## From jax.nn to jax_activations in one line

    An existing Flax model that takes its activation as a field, the way most Flax
    code does. Its default is `jax.nn.gelu`.
    """),
    code("""
    class Block(nn.Module):
        act: Callable = jax.nn.gelu

        @nn.compact
        def __call__(self, x):
            x = self.act(nn.Dense(64)(x))
            return nn.Dense(8)(x)


    x = jax.random.normal(jax.random.key(3), (256, 8))
    variables = Block().init(jax.random.key(4), x)
    before = Block().apply(variables, x)
    """),
    md("""
    The switch is the one line `act = jax.nn.gelu` → `act = ja.gelu` (or
    `Block(act=ja.gelu)`); the parameters are unchanged. Every jax.nn activation
    name used below exists in `jax_activations` with the same spelling.

    One default differs on purpose: `jax.nn.gelu` is the tanh approximation,
    `ja.gelu` the exact `x Φ(x)` (as Keras 3 and PyTorch). The two differ by up
    to about 4.7e-4. `ja.get("gelu", approximate=True)` reproduces jax.nn's form.
    """),
    code("""
    after = Block(act=ja.gelu).apply(variables, x)
    same_form = Block(act=ja.get("gelu", approximate=True)).apply(variables, x)
    print("max |jax.nn.gelu model - ja.gelu model|          ", float(jnp.max(jnp.abs(after - before))))
    print("max |jax.nn.gelu model - ja.gelu(approximate) model|", float(jnp.max(jnp.abs(same_form - before))))
    np.testing.assert_allclose(same_form, before, rtol=1e-5, atol=1e-6)

    g = jnp.linspace(-6.0, 6.0, 12001)
    gap = float(jnp.max(jnp.abs(jax.nn.gelu(g) - ja.gelu(g))))
    print(f"max |tanh form - exact| on [-6, 6]: {gap:.3g}")
    assert 4e-4 < gap < 5e-4
    """),
    code("""
    common = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "swish", "mish",
              "sigmoid", "log_sigmoid", "softplus", "soft_sign", "hard_tanh", "hard_sigmoid", "hard_silu",
              "hard_swish", "squareplus", "sparse_plus", "sparse_sigmoid", "identity", "tanh", "glu", "softmax",
              "log_softmax"]
    missing = [n for n in common if not hasattr(ja, n)]
    assert not missing, missing

    x = jax.random.normal(jax.random.key(5), (1000,)) * 4
    same_defaults = [n for n in common if n not in ("gelu", "leaky_relu", "glu", "softmax", "log_softmax")]
    for n in same_defaults:
        np.testing.assert_allclose(getattr(ja, n)(x), getattr(jax.nn, n)(x), rtol=2e-6, atol=1e-6, err_msg=n)
    print("same values as jax.nn for:", ", ".join(same_defaults))
    """),
    md("""
    `leaky_relu`'s default slope also differs: 0.2 (Keras 3's function), where
    jax.nn and PyTorch use 0.01; pass `negative_slope=0.01` to match them.
    """),
    code("""
    np.testing.assert_allclose(ja.leaky_relu(x, negative_slope=0.01), jax.nn.leaky_relu(x), rtol=1e-6)
    print(ja.spec("leaky_relu").params, "| jax.nn.leaky_relu default 0.01")
    """),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_gallery.ipynb": GALLERY,
    "02_numerics.ipynb": NUMERICS,
    "03_learnable.ipynb": LEARNABLE,
    "04_composition.ipynb": COMPOSITION,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` (outputs empty, cell ids fixed so the file is reproducible)."""
    stem = name.removesuffix(".ipynb")
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = f"{stem}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """The exact file contents of notebook ``name``."""
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in NOTEBOOKS:
        path = HERE / name
        text = render(name)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print("wrote", path)
    if stale:
        print("out of date (run python notebooks/build_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
