"""Flax NNX layers for every activation: the same classes, fields, defaults and numbers as :mod:`jax_activations.linen`.

Generated from the same table (:mod:`jax_activations._layers`).  NNX creates
parameters at construction, so layers with per-channel or per-element
parameters need ``in_features`` (the channel count, or the per-example shape
for ``PReLU(mode="element")``); everything else matches linen.  Parameters are
``nnx.Param`` (``nnx.with_partitioning`` initializers work), Dice's running
statistics are ``nnx.BatchStat``, RReLU draws from the ``rrelu`` stream of the
``rngs`` it was given (or the one passed at call).  ``model.train()`` /
``model.eval()`` set ``deterministic`` and ``use_running_average``.

Example: a model with a name-selected activation, a PReLU and a Rational layer::

    >>> import jax.numpy as jnp
    >>> from flax import nnx
    >>> import jax_activations as ja
    >>> class MLP(nnx.Module):
    ...     def __init__(self, rngs):
    ...         self.l1 = ja.nnx.with_activation(nnx.Linear(3, 16, rngs=rngs), "gelu")
    ...         self.l2 = nnx.Linear(16, 16, rngs=rngs)
    ...         self.act2 = ja.nnx.PReLU(in_features=16)
    ...         self.l3 = nnx.Linear(16, 16, rngs=rngs)
    ...         self.act3 = ja.nnx.Rational(approximates="leaky_relu")
    ...         self.out = nnx.Linear(16, 1, rngs=rngs)
    ...     def __call__(self, x):
    ...         return self.out(self.act3(self.l3(self.act2(self.l2(self.l1(x))))))
    >>> MLP(nnx.Rngs(0))(jnp.ones((8, 3))).shape
    (8, 1)
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from jax_activations import _layers, _registry, linen as _linen
from jax_activations._layers import LayerSpec

__all__ = [
    "Activation",
    "GatedFFN",
    "GEGLU",
    "ReGLU",
    "SwiGLU",
    "WithActivation",
    "from_config",
    "with_activation",
    *[s.name for s in _layers.SPECS],
]

_CLASSES: dict[str, type] = {}


def _example(spec: LayerSpec) -> str:
    ex = spec.example
    if spec.needs_shape:
        inner = ex[ex.index("(") + 1 : -1]
        ex = f"{ex[: ex.index('(')]}({inner + ', ' if inner else ''}in_features={spec.example_input[1]})"
    return ex


def _doc(spec: LayerSpec) -> str:
    doc = _linen._CLASSES[spec.name].__doc__
    doc = doc[: doc.index("Example:")]
    doc = doc.replace("``apply(..., rngs={'rrelu': key}})``", "the ``rngs`` given at construction or call")
    doc = re.sub(r"Running statistics live in .*\n", "Running statistics are ``nnx.BatchStat`` variables.\n", doc)
    shape = spec.example_input
    out = (shape[0], shape[1] // 2) if spec.name == "GLU" else tuple(shape)
    lines = [
        "Example:",
        "  >>> import jax.numpy as jnp",
        "  >>> from flax import nnx",
        "  >>> import jax_activations as ja",
        f"  >>> model = nnx.Sequential(nnx.Linear(3, {shape[1]}, rngs=nnx.Rngs(0)), ja.nnx.{_example(spec)})",
        f"  >>> model(jnp.ones(({shape[0]}, 3))).shape",
        f"  {out}",
    ]
    return doc + "\n".join(lines)


def _bind(
    spec_name: str, names: list[str], args: tuple[Any, ...], kwargs: Mapping[str, Any], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    if len(args) > len(names):
        raise TypeError(f"{spec_name}: takes at most {len(names)} positional arguments, got {len(args)}")
    values = dict(defaults)
    given = dict(zip(names, args, strict=False))
    for k, v in kwargs.items():
        if k not in values:
            raise TypeError(f"{spec_name}: unknown argument {k!r}; allowed: {', '.join(names)}, rngs")
        if k in given:
            raise TypeError(f"{spec_name}: argument {k!r} given twice")
        given[k] = v
    values.update(given)
    return values


def _make(spec: LayerSpec) -> type:
    fields = _layers.all_fields(spec)
    names = [f.name for f in fields]
    defaults = {f.name: f.default for f in fields}

    def __init__(self: nnx.Module, *args: Any, rngs: nnx.Rngs | None = None, **kwargs: Any) -> None:
        values = _layers.configure(spec, _bind(spec.name, names, args, kwargs, defaults))
        for k, v in values.items():
            setattr(self, k, v)
        if spec.needs_shape:
            g = _layers.Geometry(spec.name, in_features=values["in_features"])
            want = _layers.shapes(spec, values, g)
            dtype = values["param_dtype"]
            for par in spec.params:
                init = _layers.initializer(spec, par, values)
                if callable(values[f"{par.name}_init"]):
                    if rngs is None:
                        raise ValueError(
                            f"{spec.name}: {par.name}_init is an initializer function; pass rngs=nnx.Rngs(...)"
                        )
                    key = rngs.params()
                else:
                    key = jax.random.key(0)  # constant initial values: the key is not used
                setattr(self, par.name, nnx.Param(init(key, want[par.name], dtype)))
            for st in spec.stats:
                setattr(self, st.name, nnx.BatchStat(jnp.full(want[st.name], st.init, dtype)))
        if spec.rng is not None:
            self.rngs = rngs

    def cfg_of(self: nnx.Module) -> dict[str, Any]:
        return {n: getattr(self, n) for n in names}

    def __call__(self: nnx.Module, x: jax.Array, *, rngs: nnx.Rngs | None = None, **kwargs: Any) -> jax.Array:
        allowed = (*spec.call_args, *spec.flags)
        for k in kwargs:
            if k not in allowed:
                raise TypeError(f"{spec.name}: unknown call argument {k!r}; allowed: {', '.join(allowed) or 'none'}")
        x = jnp.asarray(x)
        cfg = cfg_of(self)
        flags = {f: kwargs[f] if kwargs.get(f) is not None else cfg[f] for f in spec.flags}
        extra = {k: v for k, v in kwargs.items() if k in spec.call_args}
        p = {par.name: getattr(self, par.name)[...] for par in spec.params}
        stats = {st.name: getattr(self, st.name)[...] for st in spec.stats}
        if spec.needs_shape:
            _layers.check_input(spec, cfg, x, {k: tuple(jnp.shape(v)) for k, v in {**p, **stats}.items()})
        key = None
        if spec.rng is not None and flags.get("deterministic") is False:
            r = rngs if rngs is not None else self.rngs
            if r is None:
                raise ValueError(
                    f"{spec.name}: deterministic=False needs random numbers; pass rngs=nnx.Rngs(...) "
                    f"(stream {spec.rng!r} or 'default') at construction or call"
                )
            key = getattr(r, spec.rng)()
        ctx = _layers.Ctx(spec.name, cfg, p, stats, flags, key, extra)
        y = spec.apply(x, ctx)
        for k, v in ctx.updates.items():
            getattr(self, k)[...] = v
        return y

    def get_config(self: nnx.Module) -> dict[str, Any]:
        """``{"class_name": ..., "config": {...}}``, JSON-serializable; :func:`from_config` rebuilds the layer."""
        return _layers.config_of(spec, cfg_of(self))

    def __repr__(self: nnx.Module) -> str:
        return _layers.repr_of(spec, cfg_of(self))

    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=f.default) for f in fields]
    params += [inspect.Parameter("rngs", inspect.Parameter.KEYWORD_ONLY, default=None)]
    __init__.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    ns: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": spec.name,
        "__doc__": _doc(spec),
        "__init__": __init__,
        "__call__": __call__,
        "get_config": get_config,
        "__repr__": __repr__,
        "spec": spec,
    }
    cls = type(spec.name, (nnx.Module,), ns)
    _CLASSES[spec.name] = cls
    return cls


for _spec in _layers.SPECS:
    globals()[_spec.name] = _make(_spec)
del _spec


# --------------------------------------------------------------------------- #
# Hand-written thin layers
# --------------------------------------------------------------------------- #


class Activation(nnx.Module):
    """Any registered activation as a layer: ``Activation(identifier, **config)``.

    Same as :class:`jax_activations.linen.Activation`: unknown names fail at
    construction, ``get_config`` serializes it.

    Example:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> import jax_activations as ja
      >>> ja.nnx.Activation("leaky_relu", negative_slope=0.1)(jnp.array([-1.0, 2.0]))
      Array([-0.1,  2. ], dtype=float32)
    """

    def __init__(self, identifier: Any = None, config: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        cfg = {**dict(config or {}), **kwargs}
        try:
            self.identifier = _registry.get(identifier, **cfg)
        except (TypeError, ValueError) as e:
            raise type(e)(f"Activation: identifier={identifier!r}: {e}") from None

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.identifier(x)

    def get_config(self) -> dict[str, Any]:
        return {"class_name": "Activation", "config": {"identifier": _registry.serialize(self.identifier)}}

    def __repr__(self) -> str:
        try:
            shown = _registry.serialize(self.identifier)
        except (TypeError, ValueError):
            shown = getattr(self.identifier, "__name__", self.identifier)
        return f"Activation({shown!r})"


class GatedFFN(nnx.Module):
    """Gated feed-forward block ``down(activation(gate(x)) * up(x))``; see :class:`jax_activations.linen.GatedFFN`.

    ``in_features`` is required (NNX creates the kernels at construction).

    Example:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> import jax_activations as ja
      >>> ffn = ja.nnx.SwiGLU(in_features=12, multiple_of=8, rngs=nnx.Rngs(0))
      >>> ffn.up_kernel.shape, ffn(jnp.ones((2, 12))).shape
      ((12, 32), (2, 12))
    """

    _default_activation = "silu"

    def __init__(
        self,
        hidden_features: int | None = None,
        out_features: int | None = None,
        activation: Any = None,
        use_bias: bool = False,
        multiple_of: int = 1,
        kernel_init: Any = None,
        param_dtype: Any = jnp.float32,
        in_features: int | None = None,
        *,
        rngs: nnx.Rngs,
    ) -> None:
        activation = self._default_activation if activation is None else _layers.canonical("activation", activation)
        name = type(self).__name__
        _linen._check_ffn(name, hidden_features, out_features, multiple_of, activation)
        if in_features is None or isinstance(in_features, bool) or not isinstance(in_features, int) or in_features < 1:
            raise ValueError(
                f"{name}: in_features={in_features!r} is not allowed; NNX needs the input's feature count (an integer >= 1)"
            )
        self.hidden_features, self.out_features, self.activation = hidden_features, out_features, activation
        self.use_bias, self.multiple_of, self.kernel_init = use_bias, multiple_of, kernel_init
        self.param_dtype, self.in_features = param_dtype, in_features
        d = in_features
        h = _linen.ffn_hidden(d, hidden_features, multiple_of)
        o = out_features or d
        kinit = kernel_init or jax.nn.initializers.lecun_normal()
        self.up_kernel = nnx.Param(kinit(rngs.params(), (d, h), param_dtype))
        self.gate_kernel = nnx.Param(kinit(rngs.params(), (d, h), param_dtype))
        self.down_kernel = nnx.Param(kinit(rngs.params(), (h, o), param_dtype))
        if use_bias:
            self.up_bias = nnx.Param(jnp.zeros((h,), param_dtype))
            self.gate_bias = nnx.Param(jnp.zeros((h,), param_dtype))
            self.down_bias = nnx.Param(jnp.zeros((o,), param_dtype))

    def __call__(self, x: jax.Array) -> jax.Array:
        x = jnp.asarray(x)
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"{type(self).__name__}: input has {x.shape[-1]} features (last axis), expected in_features={self.in_features}"
            )
        names = ["up_kernel", "gate_kernel", "down_kernel"] + (
            ["up_bias", "gate_bias", "down_bias"] if self.use_bias else []
        )
        return _linen.gated_ffn(x, {n: getattr(self, n)[...] for n in names}, self.activation)

    def get_config(self) -> dict[str, Any]:
        if self.kernel_init is not None:
            raise ValueError("get_config: kernel_init is an initializer function, which has no JSON form")
        cfg = {
            "hidden_features": self.hidden_features,
            "out_features": self.out_features,
            "activation": _registry.serialize(self.activation),
            "use_bias": self.use_bias,
            "multiple_of": self.multiple_of,
            "kernel_init": None,
            "param_dtype": jnp.dtype(self.param_dtype).name,
            "in_features": self.in_features,
        }
        return {"class_name": type(self).__name__, "config": cfg}


class SwiGLU(GatedFFN):
    """:class:`GatedFFN` with ``activation="silu"``."""

    _default_activation = "silu"


class GEGLU(GatedFFN):
    """:class:`GatedFFN` with ``activation="gelu"`` (exact)."""

    _default_activation = "gelu"


class ReGLU(GatedFFN):
    """:class:`GatedFFN` with ``activation="relu"``."""

    _default_activation = "relu"


for _c in (Activation, GatedFFN, SwiGLU, GEGLU, ReGLU):
    _CLASSES[_c.__name__] = _c
del _c


class WithActivation(nnx.Module):
    """``activation(layer(*args, **kwargs))``; build it with :func:`with_activation`."""

    def __init__(self, layer: nnx.Module, activation: Any = None) -> None:
        self.layer = layer
        if isinstance(activation, nnx.Module):
            self.activation = activation
        elif (
            activation is None
            or isinstance(activation, (str, Mapping, _registry.Configured))
            or _registry._BY_FN.get(id(activation))
        ):
            self.activation = Activation(activation)
        else:
            self.activation = activation

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.activation(self.layer(*args, **kwargs))


def with_activation(layer: nnx.Module, activation: Any) -> WithActivation:
    """Attach an activation (name, config, configured activation, callable or NNX layer) to an NNX layer.

    Example:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> import jax_activations as ja
      >>> dense = ja.nnx.with_activation(nnx.Linear(3, 4, rngs=nnx.Rngs(0)), "relu")
      >>> bool((dense(jnp.ones((2, 3))) >= 0).all())
      True
    """
    if not isinstance(layer, nnx.Module):
        raise TypeError(f"with_activation: layer={layer!r} is not a flax.nnx Module")
    if not isinstance(activation, nnx.Module) and not (
        callable(activation) and not _registry._BY_FN.get(id(activation))
    ):
        _layers.activation_id("with_activation", "activation", activation)
    return WithActivation(layer, activation)


def from_config(config: Mapping[str, Any], *, rngs: nnx.Rngs | None = None) -> nnx.Module:
    """Rebuild a layer from its ``get_config()`` dict (``rngs`` for layers that need random numbers).

    Example:
      >>> import jax_activations as ja
      >>> layer = ja.nnx.PReLU(mode="element", shared_axes=(1,), in_features=(5, 3))
      >>> ja.nnx.from_config(layer.get_config()).negative_slope.shape
      (1, 3)
    """
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError(f"from_config: expected {{'class_name': ..., 'config': {{...}}}}, got {config!r}")
    name = config["class_name"]
    if name not in _CLASSES:
        raise ValueError(f"from_config: unknown layer {name!r}; known: {', '.join(sorted(_CLASSES))}")
    kwargs = {k: _layers.from_json_field(k, v) for k, v in dict(config.get("config") or {}).items()}
    cls = _CLASSES[name]
    if cls is Activation:
        return cls(**kwargs)
    if issubclass(cls, GatedFFN) and rngs is None:
        raise ValueError(f"from_config: {name} draws its kernels at construction; pass rngs=nnx.Rngs(...)")
    return cls(**kwargs, rngs=rngs)
