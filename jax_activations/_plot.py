"""Figures for the command line and the notebooks (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def _pyplot():
    try:
        import matplotlib
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise OSError("plotting needs matplotlib: pip install 'jax_activations[plot]'") from e
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def curves(act: Callable[..., Any], lo: float, hi: float, n: int = 801) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x``, ``f(x)`` and ``f'(x)`` on a uniform float32 grid."""
    import jax
    import jax.numpy as jnp

    x = jnp.linspace(lo, hi, n, dtype=jnp.float32)
    y = act(x)
    dy = jax.vmap(jax.grad(lambda v: act(v[None])[0]))(x)
    return np.asarray(x), np.asarray(y), np.asarray(dy)


def plot(
    acts: Sequence[tuple[str, Callable[..., Any]]],
    *,
    lo: float = -4.0,
    hi: float = 4.0,
    grad: bool = False,
    path: str,
    title: str | None = None,
) -> None:
    """Plot ``(label, activation)`` pairs (and their derivatives, dashed) to ``path``."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for i, (label, act) in enumerate(acts):
        x, y, dy = curves(act, lo, hi)
        color = f"C{i % 10}"
        ax.plot(x, y, color=color, lw=2, label=label)
        if grad:
            ax.plot(x, dy, color=color, lw=1.2, ls="--", label=f"{label}'")
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axvline(0, color="0.6", lw=0.6)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)" + (" and f'(x) (dashed)" if grad else ""))
    ax.set_title(title or ", ".join(label for label, _ in acts))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2 if len(acts) > 4 else 1)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def gallery(names: Sequence[str], path: str, *, lo: float = -4.0, hi: float = 4.0, cols: int = 6) -> None:
    """A grid of small plots, one per activation (value solid, derivative dashed)."""
    import jax_activations as ja

    plt = _pyplot()
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 1.8 * rows), dpi=90, squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        x, y, dy = curves(ja.get(name), lo, hi, n=401)
        ax.plot(x, y, color="C0", lw=1.6)
        ax.plot(x, dy, color="C1", lw=1.0, ls="--")
        ax.axhline(0, color="0.7", lw=0.5)
        ax.axvline(0, color="0.7", lw=0.5)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=6)
        ax.set_ylim(-2.2, 4.2)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle("jax_activations: f(x) solid, f'(x) dashed", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
