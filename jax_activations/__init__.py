"""jax_activations: exact, fast activation functions and layers for JAX and Flax.

Every activation is a pure, jit-compiled JAX function registered by name::

    import jax_activations as ja
    ja.gelu(x)                                  # exact gelu, Keras 3 defaults
    act = ja.get("leaky_relu", negative_slope=0.1)
    ja.serialize(act)                           # {'name': 'leaky_relu', 'config': {...}}

Flax layers live in :mod:`jax_activations.linen` and :mod:`jax_activations.nnx`.
"""

from jax_activations import (
    compose as compose,  # registers the combinators (compose, scaled, gated, mix)
    functions as _functions,
)
from jax_activations._registry import (
    Configured as Configured,
    Spec as Spec,
    deserialize as deserialize,
    get as get,
    names as names,
    register as register,
    serialize as serialize,
    spec as spec,
    specs as specs,
)
from jax_activations.functions import *  # noqa: F403

__version__ = "0.1.0"


def _export_aliases() -> list[str]:
    out = []
    for s in specs():
        if s.builtin:
            globals()[s.name] = s.fn
            out.append(s.name)
            for alias in s.aliases:
                globals()[alias] = s.fn
                out.append(alias)
    return out


__all__ = [
    "Configured",
    "Spec",
    "deserialize",
    "get",
    "names",
    "register",
    "serialize",
    "spec",
    "specs",
    *_export_aliases(),
]
del _functions


def __getattr__(name: str):
    # The Flax layers import flax: load them on first use (``ja.linen``, ``ja.nnx``).
    if name in ("linen", "nnx"):
        import importlib

        return importlib.import_module(f"jax_activations.{name}")
    raise AttributeError(f"module 'jax_activations' has no attribute {name!r}")
