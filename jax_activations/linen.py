"""Flax linen layers for every activation: Keras' layers, learnable, stateful and gated ones.

Generated from the table in :mod:`jax_activations._layers`, the same table
:mod:`jax_activations.nnx` is generated from, so both APIs have the same class
names, fields, defaults and numbers.  The layers hold parameters (and, for
``Dice``, running statistics) and call the pure registered functions; no
activation formula lives here.

Conventions, for every layer with parameters:

* ``<param>_init`` fields take the initial value as a number (in the function's
  own scale) or a Flax initializer for the stored parameter, so
  ``nn.with_partitioning(nn.initializers.constant(0.25), ("model",))`` works;
* ``param_dtype`` (default float32) is the parameters' dtype; computation
  happens in the input's dtype (float32 opmath for half precision), so a
  float32 parameter never promotes a bfloat16 input;
* ``in_features`` is optional here (shapes come from the first input) and
  checked against the input when given;
* ``layer.get_config()`` is a JSON-able dict and :func:`from_config` rebuilds
  the layer.

Example: a model with a name-selected activation, a PReLU and a Rational layer::

    >>> import jax, jax.numpy as jnp, flax.linen as nn
    >>> import jax_activations as ja
    >>> class MLP(nn.Module):
    ...     @nn.compact
    ...     def __call__(self, x):
    ...         x = ja.linen.with_activation(nn.Dense(16), "gelu")(x)
    ...         x = ja.linen.PReLU()(nn.Dense(16)(x))
    ...         x = ja.linen.Rational(approximates="leaky_relu")(nn.Dense(16)(x))
    ...         return nn.Dense(1)(x)
    >>> variables = MLP().init(jax.random.key(0), jnp.ones((8, 3)))
    >>> MLP().apply(variables, jnp.ones((8, 3))).shape
    (8, 1)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from jax_activations import _layers, _registry
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


def _doc(spec: LayerSpec, fields: tuple[_layers.Field, ...]) -> str:
    lines = [spec.summary, ""]
    if spec.doc:
        lines += [spec.doc, ""]
    lines.append("Attributes:")
    for f in fields:
        default = f"jnp.{jax.numpy.dtype(f.default).name}" if f.name == "param_dtype" else repr(f.default)
        lines.append(f"  {f.name}: {f.doc} (default {default}).")
    calls = ", ".join([*spec.call_args, *spec.flags])
    lines += ["", f"Call: ``layer(x{', ' + calls if calls else ''})`` (keywords after ``x``)."]
    if spec.rng:
        lines.append(f"Random draws use the ``{spec.rng!r}`` RNG stream: ``apply(..., rngs={{{spec.rng!r}: key}})``.")
    if spec.stats:
        lines.append(
            "Running statistics live in the ``batch_stats`` collection: ``apply(..., mutable=['batch_stats'])``."
        )
    shape = list(spec.example_input)
    out = (shape[0], shape[1] // 2) if spec.name == "GLU" else tuple(shape)
    lines += [
        "",
        "Example:",
        "  >>> import jax, jax.numpy as jnp, flax.linen as nn",
        "  >>> import jax_activations as ja",
        f"  >>> model = nn.Sequential([nn.Dense({shape[1]}), ja.linen.{spec.example}])",
        f"  >>> variables = model.init(jax.random.key(0), jnp.ones(({shape[0]}, 3)))",
        f"  >>> model.apply(variables, jnp.ones(({shape[0]}, 3))).shape",
        f"  {out}",
    ]
    return "\n".join(lines)


def _make(spec: LayerSpec) -> type:
    fields = _layers.all_fields(spec)
    names = [f.name for f in fields]

    def cfg_of(self: nn.Module) -> dict[str, Any]:
        return {n: getattr(self, n) for n in names}

    def __post_init__(self: nn.Module) -> None:
        for n, v in _layers.configure(spec, cfg_of(self)).items():
            object.__setattr__(self, n, v)
        nn.Module.__post_init__(self)

    @nn.compact
    def __call__(self: nn.Module, x: jax.Array, **kwargs: Any) -> jax.Array:
        allowed = (*spec.call_args, *spec.flags)
        for k in kwargs:
            if k not in allowed:
                raise TypeError(f"{spec.name}: unknown call argument {k!r}; allowed: {', '.join(allowed) or 'none'}")
        x = jnp.asarray(x)
        cfg = cfg_of(self)
        flags = {f: kwargs[f] if kwargs.get(f) is not None else cfg[f] for f in spec.flags}
        extra = {k: v for k, v in kwargs.items() if k in spec.call_args}
        p: dict[str, jax.Array] = {}
        stat_vars: dict[str, Any] = {}
        if spec.needs_shape:
            g = _layers.Geometry(spec.name, shape=tuple(x.shape))
            if cfg["in_features"] is not None:
                g = _layers.Geometry(spec.name, in_features=cfg["in_features"])
            want = _layers.shapes(spec, cfg, g)
            actual = dict(want)
            for par in spec.params:
                if self.has_variable("params", par.name):
                    actual[par.name] = tuple(jnp.shape(nn.unbox(self.get_variable("params", par.name))))
            for st in spec.stats:
                if self.has_variable("batch_stats", st.name):
                    actual[st.name] = tuple(jnp.shape(self.get_variable("batch_stats", st.name)))
            _layers.check_input(spec, cfg, x, actual)
            for par in spec.params:
                p[par.name] = self.param(
                    par.name, _layers.initializer(spec, par, cfg), want[par.name], cfg["param_dtype"]
                )
            for st in spec.stats:
                stat_vars[st.name] = self.variable(
                    "batch_stats", st.name, lambda s=st: jnp.full(want[s.name], s.init, cfg["param_dtype"])
                )
        key = None
        if spec.rng is not None and flags.get("deterministic") is False:
            key = self.make_rng(spec.rng)
        ctx = _layers.Ctx(
            spec.name,
            cfg,
            p,
            {k: v.value for k, v in stat_vars.items()},
            flags,
            key,
            extra,
            initializing=self.is_initializing(),
        )
        y = spec.apply(x, ctx)
        for k, v in ctx.updates.items():
            stat_vars[k].value = v
        return y

    def get_config(self: nn.Module) -> dict[str, Any]:
        """``{"class_name": ..., "config": {...}}``, JSON-serializable; :func:`from_config` rebuilds the layer."""
        return _layers.config_of(spec, cfg_of(self))

    def __repr__(self: nn.Module) -> str:
        return _layers.repr_of(spec, cfg_of(self))

    ns: dict[str, Any] = {
        "__annotations__": {f.name: Any for f in fields},
        "__module__": __name__,
        "__qualname__": spec.name,
        "__doc__": _doc(spec, fields),
        "__post_init__": __post_init__,
        "__call__": __call__,
        "get_config": get_config,
        "__repr__": __repr__,
        "spec": spec,
    }
    for f in fields:
        ns[f.name] = f.default
    cls = type(spec.name, (nn.Module,), ns)
    _CLASSES[spec.name] = cls
    return cls


for _spec in _layers.SPECS:
    globals()[_spec.name] = _make(_spec)
del _spec


# --------------------------------------------------------------------------- #
# Hand-written thin layers: Activation, GatedFFN, WithActivation
# --------------------------------------------------------------------------- #


class Activation(nn.Module):
    """Any registered activation as a layer: ``Activation(identifier, **config)``.

    ``identifier`` is a name (``"gelu"``), a config dict, a configured
    activation (``ja.get("leaky_relu", negative_slope=0.1)``), a combinator or a
    registered callable; keyword ``config`` fixes hyperparameters.  Unknown
    names and bad hyperparameters fail at construction.  Shows in
    ``Module.tabulate`` and serializes with ``get_config``.

    Example:
      >>> import jax, jax.numpy as jnp, flax.linen as nn
      >>> import jax_activations as ja
      >>> model = nn.Sequential([nn.Dense(4), ja.linen.Activation("leaky_relu", negative_slope=0.1)])
      >>> variables = model.init(jax.random.key(0), jnp.ones((2, 3)))
      >>> model.apply(variables, jnp.ones((2, 3))).shape
      (2, 4)
    """

    identifier: Any = None

    def __init__(
        self,
        identifier: Any = None,
        config: Mapping[str, Any] | None = None,
        *,
        parent: Any = nn.module._unspecified_parent,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        cfg = {**dict(config or {}), **kwargs}
        try:
            act = _registry.get(identifier, **cfg)
        except (TypeError, ValueError) as e:
            raise type(e)(f"Activation: identifier={identifier!r}: {e}") from None
        object.__setattr__(self, "identifier", act)
        object.__setattr__(self, "parent", parent)
        object.__setattr__(self, "name", name)
        self.__post_init__()

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.identifier(x)

    def get_config(self) -> dict[str, Any]:
        """``{"class_name": "Activation", "config": {"identifier": <serialized activation>}}``."""
        return {"class_name": "Activation", "config": {"identifier": _registry.serialize(self.identifier)}}

    def __repr__(self) -> str:
        try:
            shown = _registry.serialize(self.identifier)
        except (TypeError, ValueError):
            shown = getattr(self.identifier, "__name__", self.identifier)
        return f"Activation({shown!r})"


def ffn_hidden(in_features: int, hidden_features: int | None, multiple_of: int) -> int:
    """The hidden width: ``hidden_features``, or the 2/3 rule ``2/3 * 4 * d`` rounded up to ``multiple_of``."""
    if hidden_features is not None:
        return int(hidden_features)
    h = int(2 * 4 * in_features / 3)
    return multiple_of * math.ceil(h / multiple_of)


def _check_ffn(name: str, hidden: Any, out: Any, multiple_of: Any, activation: Any) -> None:
    for fname, v in (("hidden_features", hidden), ("out_features", out)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ValueError(f"{name}: {fname}={v!r} is not allowed; expected None or an integer >= 1")
    _layers.positive_int(name, "multiple_of", multiple_of)
    _layers.activation_id(name, "activation", activation)


class GatedFFN(nn.Module):
    """Gated feed-forward block: ``down(activation(gate(x)) * up(x))``.

    Three bias-free (by default) projections, as in LLaMA/PaLM/T5 v1.1: ``up``
    and ``gate`` map ``d -> hidden``, ``down`` maps ``hidden -> out_features``
    (default ``d``).  The activation applies to the ``gate`` projection, the
    same half :func:`jax_activations.compose.gated` gates when the two
    projections are fused as ``[up, gate]``.  Presets: :class:`SwiGLU` (silu),
    :class:`GEGLU` (gelu), :class:`ReGLU` (relu).

    The 2/3 rule: with ``hidden_features=None`` the hidden width is
    ``int(2/3 * 4 * d)`` rounded up to ``multiple_of``, which keeps the
    parameter count of a 4d-wide two-matrix MLP (Shazeer 2020; LLaMA uses
    ``multiple_of=256``).

    Kernels are ``lecun_normal`` (Flax's Dense default) unless ``kernel_init``
    is given; biases start at 0.  The projections compute in the input's
    dtype, so float32 parameters do not promote a bfloat16 input.

    References:
      Shazeer, "GLU Variants Improve Transformer", 2020. https://arxiv.org/abs/2002.05202

    Example:
      >>> import jax, jax.numpy as jnp
      >>> import jax_activations as ja
      >>> ffn = ja.linen.SwiGLU(multiple_of=8)
      >>> variables = ffn.init(jax.random.key(0), jnp.ones((2, 12)))
      >>> variables["params"]["up_kernel"].shape      # 2/3 * 4 * 12 = 32
      (12, 32)
    """

    hidden_features: int | None = None
    out_features: int | None = None
    activation: Any = "silu"
    use_bias: bool = False
    multiple_of: int = 1
    kernel_init: Any = None
    param_dtype: Any = jnp.float32
    in_features: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "activation", _layers.canonical("activation", self.activation))
        _check_ffn(type(self).__name__, self.hidden_features, self.out_features, self.multiple_of, self.activation)
        nn.Module.__post_init__(self)

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = jnp.asarray(x)
        d = x.shape[-1]
        if self.in_features is not None and d != self.in_features:
            raise ValueError(
                f"{type(self).__name__}: input has {d} features (last axis), expected in_features={self.in_features}"
            )
        h = ffn_hidden(d, self.hidden_features, self.multiple_of)
        o = self.out_features or d
        kinit = self.kernel_init or nn.initializers.lecun_normal()
        ws = {
            "up_kernel": self.param("up_kernel", kinit, (d, h), self.param_dtype),
            "gate_kernel": self.param("gate_kernel", kinit, (d, h), self.param_dtype),
            "down_kernel": self.param("down_kernel", kinit, (h, o), self.param_dtype),
        }
        if self.use_bias:
            for n, k in (("up_bias", h), ("gate_bias", h), ("down_bias", o)):
                ws[n] = self.param(n, nn.initializers.zeros_init(), (k,), self.param_dtype)
        return gated_ffn(x, ws, self.activation)

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


def gated_ffn(x: jax.Array, ws: Mapping[str, jax.Array], activation: Any) -> jax.Array:
    """The shared GatedFFN computation (both APIs): matmuls in x's dtype, then the activation."""
    dt = x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.result_type(float)
    x = x.astype(dt)

    def proj(name: str, v: jax.Array) -> jax.Array:
        y = jnp.matmul(v, ws[f"{name}_kernel"].astype(dt))
        return y + ws[f"{name}_bias"].astype(dt) if f"{name}_bias" in ws else y

    act = _registry.get(activation)
    return proj("down", act(proj("gate", x)) * proj("up", x))


class SwiGLU(GatedFFN):
    """:class:`GatedFFN` with ``activation="silu"`` (SwiGLU)."""

    activation: Any = "silu"


class GEGLU(GatedFFN):
    """:class:`GatedFFN` with ``activation="gelu"`` (GEGLU, exact gelu as Keras and PyTorch)."""

    activation: Any = "gelu"


class ReGLU(GatedFFN):
    """:class:`GatedFFN` with ``activation="relu"`` (ReGLU)."""

    activation: Any = "relu"


for _c in (Activation, GatedFFN, SwiGLU, GEGLU, ReGLU):
    _CLASSES[_c.__name__] = _c
del _c


class WithActivation(nn.Module):
    """``activation(layer(*args, **kwargs))``: a forward layer followed by an activation.

    The seed's ``activation=`` argument for any Flax layer; build it with
    :func:`with_activation`.  ``activation`` may be a name, config dict,
    configured activation, callable or a layer (module).  Names, dicts and
    configured activations become an :class:`Activation` submodule, so they
    show in ``Module.tabulate``.  The wrapped layer's parameters live under
    ``layer``.
    """

    layer: nn.Module
    activation: Any = None

    @nn.compact
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        y = self.layer(*args, **kwargs)
        act = self.activation
        if isinstance(act, nn.Module):
            return act(y)
        if act is None or isinstance(act, (str, Mapping, _registry.Configured)) or _registry._BY_FN.get(id(act)):
            return Activation(act, name="activation")(y)
        return act(y)


def with_activation(layer: nn.Module, activation: Any) -> WithActivation:
    """Attach an activation to a forward layer, in one expression.

    Example:
      >>> import jax, jax.numpy as jnp, flax.linen as nn
      >>> import jax_activations as ja
      >>> dense = ja.linen.with_activation(nn.Dense(4), "relu")
      >>> variables = dense.init(jax.random.key(0), jnp.ones((2, 3)))
      >>> bool((dense.apply(variables, jnp.ones((2, 3))) >= 0).all())
      True

    Args:
      layer: a linen module (Dense, Conv, ...).
      activation: a name, config dict, configured activation, callable or linen module.
        Names and configs are checked now (an unknown name raises ValueError).
    """
    if not isinstance(layer, nn.Module):
        raise TypeError(f"with_activation: layer={layer!r} is not a flax.linen Module")
    if not isinstance(activation, nn.Module) and not (
        callable(activation) and not _registry._BY_FN.get(id(activation))
    ):
        _layers.activation_id("with_activation", "activation", activation)
    if isinstance(activation, Mapping):
        activation = _registry.get(activation)
    return WithActivation(layer=layer, activation=activation)


def from_config(config: Mapping[str, Any]) -> nn.Module:
    """Rebuild a layer from its ``get_config()`` dict.

    Example:
      >>> import jax_activations as ja
      >>> layer = ja.linen.PReLU(shared_axes=(1, 2))
      >>> ja.linen.from_config(layer.get_config())
      PReLU(shared_axes=(1, 2))
    """
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError(f"from_config: expected {{'class_name': ..., 'config': {{...}}}}, got {config!r}")
    name = config["class_name"]
    if name not in _CLASSES:
        raise ValueError(f"from_config: unknown layer {name!r}; known: {', '.join(sorted(_CLASSES))}")
    kwargs = {k: _layers.from_json_field(k, v) for k, v in dict(config.get("config") or {}).items()}
    return _CLASSES[name](**kwargs)
