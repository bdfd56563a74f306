"""The one table both Flax APIs are generated from.

Each :class:`LayerSpec` says what a layer is configured by (``fields``), which
parameters it learns (``params``: name, initial value, shape rule, and how the
stored value maps to the pure function's argument), which statistics it keeps
(``stats``), which mode flags it takes (``deterministic``,
``use_running_average``) and how it calls the pure registered function
(``apply``).  :mod:`jax_activations.linen` and :mod:`jax_activations.nnx` turn
every spec into a class with the same name, fields, defaults and numbers; no
activation formula lives here or there.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jax_activations import _numerics, _registry, compose as _compose
from jax_activations.functions import _learnable

# --------------------------------------------------------------------------- #
# Building blocks
# --------------------------------------------------------------------------- #


@dataclasses.dataclass(frozen=True)
class Field:
    """A configuration field: name, default, a check raising ValueError, a doc line."""

    name: str
    default: Any
    check: Callable[[str, str, Any], None] | None = None
    doc: str = ""


class Geometry:
    """What a parameter's shape may depend on: the channel count and the per-example shape."""

    def __init__(self, layer: str, shape: tuple[int, ...] | None = None, in_features: Any = None):
        self.layer = layer
        self._shape = shape
        self._in = in_features

    @property
    def channels(self) -> int:
        if self._shape is not None:
            if len(self._shape) == 0:
                raise ValueError(
                    f"{self.layer}: per-channel parameters need an input with a channel (last) axis, got a scalar"
                )
            return int(self._shape[-1])
        if self._in is None:
            raise ValueError(
                f"{self.layer}: in_features=None; NNX layers create their parameters at construction, so pass "
                "in_features=C (the channel count, the input's last axis) or the per-example shape"
            )
        return int(self._in) if isinstance(self._in, int) else int(tuple(self._in)[-1])

    @property
    def example_shape(self) -> tuple[int, ...]:
        if self._shape is not None:
            if len(self._shape) == 0:
                raise ValueError(
                    f"{self.layer}: per-element parameters need a batched input (batch axis 0), got a scalar"
                )
            return tuple(int(d) for d in self._shape[1:])
        if self._in is None:
            raise ValueError(
                f"{self.layer}: in_features=None; NNX layers create their parameters at construction, so pass "
                "in_features=input_shape[1:] (the per-example shape, batch excluded)"
            )
        return (int(self._in),) if isinstance(self._in, int) else tuple(int(d) for d in self._in)


@dataclasses.dataclass(frozen=True)
class Param:
    """A learnable parameter.

    ``init`` is the default initial value in the function's own scale (shown as
    the layer's ``<name>_init`` field), or ``None`` when ``initial(cfg, shape)``
    computes it.  ``stored(cfg, value)`` maps an initial value to the stored
    one (e.g. a log for log-scale parameters); ``shape(cfg, geometry)`` gives
    the parameter's shape; ``domain`` (a registry domain: None or what is
    allowed) checks a numeric initial value at construction.
    """

    name: str
    init: float | None
    shape: Callable[[Mapping[str, Any], Geometry], tuple[int, ...]]
    stored: Callable[[Mapping[str, Any], np.ndarray], np.ndarray] | None = None
    initial: Callable[[Mapping[str, Any], tuple[int, ...]], np.ndarray] | None = None
    doc: str = ""
    domain: Callable[[np.ndarray], str | None] = _registry.finite


@dataclasses.dataclass(frozen=True)
class Stat:
    """A running statistic (``batch_stats`` in linen, ``nnx.BatchStat`` in NNX)."""

    name: str
    init: float
    shape: Callable[[Mapping[str, Any], Geometry], tuple[int, ...]]


@dataclasses.dataclass
class Ctx:
    """What ``LayerSpec.apply`` sees: config, parameters, statistics, flags, a key, call arguments."""

    layer: str
    cfg: Mapping[str, Any]
    p: Mapping[str, jax.Array]
    stats: Mapping[str, jax.Array]
    flags: Mapping[str, bool]
    key: jax.Array | None
    kwargs: Mapping[str, Any]
    initializing: bool = False
    updates: dict[str, jax.Array] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class LayerSpec:
    name: str
    summary: str
    apply: Callable[[jax.Array, Ctx], jax.Array]
    fields: tuple[Field, ...] = ()
    params: tuple[Param, ...] = ()
    stats: tuple[Stat, ...] = ()
    flags: tuple[str, ...] = ()
    call_args: tuple[str, ...] = ()
    rng: str | None = None
    validate: Callable[[Mapping[str, Any]], None] | None = None
    doc: str = ""
    example: str = ""
    example_input: tuple[int, ...] = (2, 4)

    @property
    def needs_shape(self) -> bool:
        return bool(self.params or self.stats)


# --------------------------------------------------------------------------- #
# Field checks (Keras' messages: the argument, the value, what is allowed)
# --------------------------------------------------------------------------- #


def _number(layer: str, name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{layer}: {name}={v!r} has the wrong type; expected a real number")
    if not math.isfinite(float(v)):
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected a finite number")
    return float(v)


def nonneg(layer: str, name: str, v: Any) -> None:
    if _number(layer, name, v) < 0:
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected a number >= 0 (as in Keras)")


def optional_nonneg(layer: str, name: str, v: Any) -> None:
    if v is not None:
        nonneg(layer, name, v)


def real(layer: str, name: str, v: Any) -> None:
    _number(layer, name, v)


def pos(layer: str, name: str, v: Any) -> None:
    if _number(layer, name, v) <= 0:
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected a number > 0")


def unit(layer: str, name: str, v: Any) -> None:
    if not 0 <= _number(layer, name, v) <= 1:
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected a number in [0, 1]")


def boolean(layer: str, name: str, v: Any) -> None:
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{layer}: {name}={v!r} has the wrong type; expected True or False")


def positive_int(layer: str, name: str, v: Any) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected an integer >= 1")


def axes(layer: str, name: str, v: Any) -> None:
    vs = v if isinstance(v, (tuple, list)) else (v,)
    if not vs or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in vs):
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected an integer or a tuple of integers")


def activation_id(layer: str, name: str, v: Any) -> None:
    try:
        _registry.get(v)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{layer}: {name}={v!r} is not allowed: {e}") from None


def activation_list(layer: str, name: str, v: Any) -> None:
    if isinstance(v, (str, Mapping)) or not isinstance(v, (tuple, list)) or not v:
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected a non-empty list of activations")
    for i, f in enumerate(v):
        activation_id(layer, f"{name}[{i}]", f)


def choice(*allowed: Any) -> Callable[[str, str, Any], None]:
    """A field taking one of a few fixed values (strings or None)."""

    def check(layer: str, name: str, v: Any) -> None:
        shown = ", ".join(map(repr, allowed))
        if v is not None and not isinstance(v, str):
            raise TypeError(f"{layer}: {name}={v!r} has the wrong type; expected one of {shown}")
        if v not in allowed:
            raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected one of {shown}")

    return check


def integer(layer: str, name: str, v: Any) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{layer}: {name}={v!r} has the wrong type; expected an integer")


def optional_axes(layer: str, name: str, v: Any) -> None:
    if v is not None:
        axes(layer, name, v)


def optional_boolean(layer: str, name: str, v: Any) -> None:
    if v is not None and not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{layer}: {name}={v!r} has the wrong type; expected None, True or False")


def degrees(layer: str, name: str, v: Any) -> None:
    if (
        not isinstance(v, (tuple, list))
        or len(v) != 2
        or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0 for k in v)
    ):
        raise ValueError(f"{layer}: {name}={v!r} is not allowed; expected (m, n), two integers >= 0")


def shape_field(layer: str, name: str, v: Any) -> None:
    if v is None:
        return
    vals = (v,) if isinstance(v, (int, np.integer)) else tuple(v) if isinstance(v, (tuple, list)) else None
    if not vals or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in vals):
        raise ValueError(
            f"{layer}: {name}={v!r} is not allowed; expected None, an integer >= 1 or a non-empty tuple of them"
        )


def dtype_field(layer: str, name: str, v: Any) -> None:
    try:
        dt = jnp.dtype(v)
    except (TypeError, ValueError):
        dt = None
    if dt is None or isinstance(v, (bool, int, float)) or not jnp.issubdtype(dt, jnp.floating):
        raise TypeError(f"{layer}: {name}={v!r} is not allowed; expected a floating dtype (e.g. jnp.float32)")


# Fields whose values are activations: a config dict there is an activation, elsewhere it is a wrong type.
ACTIVATION_FIELDS = ("activation", "activations", "approximates")


def canonical(name: str, v: Any, layer: str = "") -> Any:
    """Field values as the layers store them: hashable (lists -> tuples; dicts -> activations in activation fields)."""
    if isinstance(v, list):
        return tuple(canonical(name, u, layer) for u in v)
    if isinstance(v, Mapping) and name in ACTIVATION_FIELDS:
        try:
            return _registry.get(v)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{layer + ': ' if layer else ''}{name}={v!r} is not allowed: {e}") from None
    return v


def jsonable(name: str, v: Any) -> Any:
    """A field value for ``get_config``."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [jsonable(name, u) for u in v]
    if isinstance(v, (np.integer, np.floating)):
        return v.item()
    if name == "param_dtype" or isinstance(v, (np.dtype, type)):
        return jnp.dtype(v).name
    if callable(v) and (isinstance(v, _registry.Configured) or _registry._BY_FN.get(id(v))):
        return _registry.serialize(v)
    if callable(v) and name.endswith("_init"):
        raise ValueError(
            f"get_config: {name}={v!r} is an initializer function, which has no JSON form; "
            "pass a number as the initial value to keep the layer's config serializable"
        )
    raise ValueError(f"get_config: {name}={v!r} has no JSON form")


# --------------------------------------------------------------------------- #
# Shape rules
# --------------------------------------------------------------------------- #


def scalar(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
    return ()


def channel(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
    return (g.channels,)


def per_channel_if(flag: str) -> Callable[[Mapping[str, Any], Geometry], tuple[int, ...]]:
    def shape(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
        return (g.channels,) if cfg[flag] else ()

    return shape


def prelu_mode(cfg: Mapping[str, Any]) -> str:
    mode = cfg["mode"]
    if mode is None:
        return "channel" if cfg["shared_axes"] is None else "element"
    return mode


def prelu_shape(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
    """Keras' rule for ``mode="element"``: ``input_shape[1:]`` with each shared axis set to 1 (batch is axis 0)."""
    mode = prelu_mode(cfg)
    if mode == "scalar":
        return ()
    if mode == "channel":
        return (g.channels,)
    shape = list(g.example_shape)
    shared = cfg["shared_axes"]
    shared = () if shared is None else (shared if isinstance(shared, (tuple, list)) else (shared,))
    for a in shared:
        if not 1 <= a <= len(shape):
            raise ValueError(
                f"PReLU: shared_axes={cfg['shared_axes']!r} is not allowed for an input of rank {len(shape) + 1}; "
                f"axes are counted with the batch as axis 0, so each must be in [1, {len(shape)}]"
            )
        shape[a - 1] = 1
    return tuple(shape)


def _check_prelu(cfg: Mapping[str, Any]) -> None:
    if cfg["shared_axes"] is not None:
        shared = cfg["shared_axes"] if isinstance(cfg["shared_axes"], (tuple, list)) else (cfg["shared_axes"],)
        if any(a < 1 for a in shared):
            raise ValueError(
                f"PReLU: shared_axes={cfg['shared_axes']!r} is not allowed; axes are counted with the batch as axis 0 "
                "(Keras' convention), so each must be >= 1"
            )
        if cfg["mode"] not in (None, "element"):
            raise ValueError(
                f"PReLU: shared_axes={cfg['shared_axes']!r} needs mode='element' (or None), got mode={cfg['mode']!r}"
            )


def hinge_shape(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
    return (cfg["hinges"], g.channels)


def rational_shapes(which: int) -> Callable[[Mapping[str, Any], Geometry], tuple[int, ...]]:
    def shape(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
        m, n = cfg["degrees"]
        k = m + 1 if which == 0 else n
        return (k, g.channels) if cfg["per_channel"] else (k,)

    return shape


def mix_shape(cfg: Mapping[str, Any], g: Geometry) -> tuple[int, ...]:
    k = len(cfg["activations"])
    return (k, g.channels) if cfg["per_channel"] else (k,)


def _nonzero(v: np.ndarray) -> str | None:
    ok = _registry.finite(v) is None and not bool(np.any(v == 0))
    return None if ok else "a finite nonzero number"


def _softplus_inv(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return v + np.log(-np.expm1(-v))  # log(expm1(v)), stable for large v


def _log_if(flag: str) -> Callable[[Mapping[str, Any], np.ndarray], np.ndarray]:
    def stored(cfg: Mapping[str, Any], v: np.ndarray) -> np.ndarray:
        if cfg[flag]:
            if np.any(np.asarray(v) <= 0):
                raise ValueError(f"expected a number > 0 ({flag}=True stores its log)")
            return np.log(v)
        return v

    return stored


def _exp_if(cfg: Mapping[str, Any], v: jax.Array) -> jax.Array:
    return jnp.exp(v) if cfg["log_scale"] else v


def _rational_initial(which: int) -> Callable[[Mapping[str, Any], tuple[int, ...]], np.ndarray]:
    def initial(cfg: Mapping[str, Any], shape: tuple[int, ...]) -> np.ndarray:
        num, den = _learnable.rational_fit(cfg["approximates"], tuple(cfg["degrees"]))
        c = num if which == 0 else den
        return np.broadcast_to(c.reshape(c.shape + (1,) * (len(shape) - 1)), shape)

    return initial


def _apl_b(cfg: Mapping[str, Any], shape: tuple[int, ...]) -> np.ndarray:
    s = shape[0]
    b = np.linspace(-1.0, 1.0, s) if s > 1 else np.zeros(1)
    return np.broadcast_to(b.reshape((s,) + (1,) * (len(shape) - 1)), shape)


# --------------------------------------------------------------------------- #
# Apply functions (call the pure registered functions; no formulas)
# --------------------------------------------------------------------------- #


def _flag(ctx: Ctx, name: str) -> bool:
    v = ctx.flags.get(name)
    if v is None:
        raise ValueError(
            f"{ctx.layer}: {name} is None; pass {name}=True/False to the layer or to the call "
            "(NNX: or use model.train() / model.eval())"
        )
    return bool(v)


def _rrelu(x: jax.Array, ctx: Ctx) -> jax.Array:
    det = _flag(ctx, "deterministic")
    cfg = ctx.cfg
    if det:
        return _registry.get("rrelu")(x, None, cfg["lower"], cfg["upper"], True)
    return _registry.get("rrelu")(x, ctx.key, cfg["lower"], cfg["upper"], False)


def _dice(x: jax.Array, ctx: Ctx) -> jax.Array:
    use_ra = _flag(ctx, "use_running_average")
    if x.ndim < 1:
        raise ValueError(f"{ctx.layer}: needs an input with a channel (last) axis, got a scalar")
    if use_ra:
        mean, var = ctx.stats["mean"], ctx.stats["var"]
    else:
        comp = _numerics.compute_dtype(_numerics.output_dtype(x.dtype))
        xc = x.astype(comp)
        red = tuple(range(x.ndim - 1))
        mean = jnp.mean(xc, axis=red)
        var = jnp.mean(jnp.square(xc - mean), axis=red)  # biased batch variance, as Flax's BatchNorm
        if not ctx.initializing:
            m = ctx.cfg["momentum"]
            ctx.updates["mean"] = m * ctx.stats["mean"] + (1.0 - m) * jax.lax.stop_gradient(mean).astype(
                ctx.stats["mean"].dtype
            )
            ctx.updates["var"] = m * ctx.stats["var"] + (1.0 - m) * jax.lax.stop_gradient(var).astype(
                ctx.stats["var"].dtype
            )
    # The statistics are data, not hyperparameters: traced (under jit) so an inf in the batch gives NaN out
    # (as in any normalization) instead of a domain error from the eager check of a concrete var.
    return _dice_data(x, ctx.p["alpha"], mean, var, ctx.cfg["epsilon"])


@jax.jit
def _dice_data(x: jax.Array, alpha: jax.Array, mean: jax.Array, var: jax.Array, epsilon: float) -> jax.Array:
    return _learnable.dice(x, alpha, mean, var, epsilon)


def _softmax(x: jax.Array, ctx: Ctx) -> jax.Array:
    mask = ctx.kwargs.get("mask")
    ax = ctx.cfg["axis"]
    ax = tuple(ax) if isinstance(ax, (list, tuple)) else ax
    if mask is None:
        return _registry.get("softmax")(x, axis=ax)
    mask = jnp.broadcast_to(jnp.asarray(mask, bool), jnp.shape(x))
    return _registry.get("softmax")(x, axis=ax, where=mask)


def _xielu(x: jax.Array, ctx: Ctx) -> jax.Array:
    beta = ctx.cfg["beta"]
    ap = jax.nn.softplus(ctx.p["alpha_p"])
    an = beta + jax.nn.softplus(ctx.p["alpha_n"])
    return _learnable.xielu(x, ap, an, beta, ctx.cfg["eps"])


def _check_xielu(cfg: Mapping[str, Any]) -> None:
    v = cfg["alpha_n_init"]
    if v is not None and not callable(v) and bool(np.any(np.asarray(v, np.float64) <= cfg["beta"])):
        raise ValueError(
            f"XIELU: alpha_n_init={cfg['alpha_n_init']!r} is not allowed; expected a number > beta={cfg['beta']!r} "
            "(alpha_n = beta + softplus(stored))"
        )
    if cfg["eps"] > 0:
        raise ValueError(f"XIELU: eps={cfg['eps']!r} is not allowed; expected a number <= 0")


def _check_rrelu(cfg: Mapping[str, Any]) -> None:
    if cfg["lower"] > cfg["upper"]:
        raise ValueError(
            f"RReLU: lower={cfg['lower']!r} and upper={cfg['upper']!r} are not allowed; expected lower <= upper"
        )


# --------------------------------------------------------------------------- #
# The table
# --------------------------------------------------------------------------- #

_INIT_DOC = "initial value (a number, in the function's scale) or a Flax initializer for the stored parameter"

SPECS: tuple[LayerSpec, ...] = (
    LayerSpec(
        "ReLU",
        "Keras' ReLU layer: ``relu(x, negative_slope, max_value, threshold)``.",
        lambda x, c: _registry.get("relu")(
            x, negative_slope=c.cfg["negative_slope"], max_value=c.cfg["max_value"], threshold=c.cfg["threshold"]
        ),
        fields=(
            Field("max_value", None, optional_nonneg, "upper clip, None for none; >= 0"),
            Field("negative_slope", 0.0, nonneg, "slope below the threshold; >= 0"),
            Field("threshold", 0.0, nonneg, "values below it are zeroed (or leaked); >= 0"),
        ),
        doc="Keras 3 semantics and validation: negative ``max_value``, ``negative_slope`` or ``threshold`` raise ValueError.",
        example="ReLU(max_value=6.0)",
    ),
    LayerSpec(
        "LeakyReLU",
        "Keras' LeakyReLU layer: ``leaky_relu(x, negative_slope)``.",
        lambda x, c: _registry.get("leaky_relu")(x, negative_slope=c.cfg["negative_slope"]),
        fields=(Field("negative_slope", 0.3, nonneg, "slope for x < 0; default 0.3 as Keras' layer, >= 0"),),
        doc="The default slope is Keras' layer default 0.3 (the ``leaky_relu`` function's is 0.2, "
        "jax.nn's and PyTorch's 0.01).",
        example="LeakyReLU(negative_slope=0.1)",
    ),
    LayerSpec(
        "ELU",
        "Keras' ELU layer: ``elu(x, alpha)``.",
        lambda x, c: _registry.get("elu")(x, alpha=c.cfg["alpha"], lean=c.cfg["lean"]),
        fields=(
            Field("alpha", 1.0, real, "scale of the negative saturation"),
            Field("lean", False, boolean, "derivative from the output: no extra training memory (needs alpha >= 0)"),
        ),
        example="ELU()",
    ),
    LayerSpec(
        "ThresholdedReLU",
        "Keras' ThresholdedReLU layer: ``x if x > theta else 0``.",
        lambda x, c: _registry.get("thresholded_relu")(x, theta=c.cfg["theta"]),
        fields=(Field("theta", 1.0, nonneg, "the threshold; >= 0 as in Keras"),),
        example="ThresholdedReLU(theta=0.5)",
    ),
    LayerSpec(
        "Softmax",
        "Keras' Softmax layer, with an optional boolean ``mask`` at call.",
        _softmax,
        fields=(Field("axis", -1, axes, "the axis (or tuple of axes) to normalize over"),),
        call_args=("mask",),
        doc="Keras 3 mask semantics: masked positions get 0 and take no part in the normalization; "
        "a fully masked row is all zeros (with zero gradients).",
        example="Softmax()",
    ),
    LayerSpec(
        "PReLU",
        "Parametric ReLU with a learned negative slope: ``prelu(x, negative_slope)``.",
        lambda x, c: _learnable.prelu(x, c.p["negative_slope"]),
        fields=(
            Field(
                "mode",
                None,
                choice(None, "channel", "scalar", "element"),
                "'channel' (one slope per channel, "
                "the last axis), 'scalar', 'element', or None: 'channel' unless shared_axes is given, then 'element'",
            ),
            Field(
                "shared_axes",
                None,
                optional_axes,
                "Keras' shared_axes (batch is axis 0), only with mode 'element'/None",
            ),
        ),
        params=(Param("negative_slope", 0.25, prelu_shape, doc="the slopes; default 0.25 (He et al. 2015)"),),
        validate=_check_prelu,
        doc="Parameter shapes: ``mode='channel'`` (default) ``(C,)`` with C the last axis; ``'scalar'`` ``()``; "
        "``'element'`` Keras' rule, ``input_shape[1:]`` with each of ``shared_axes`` set to 1 (the batch is "
        "axis 0), so a Keras PReLU's ``alpha`` loads unchanged. Initial slope 0.25 (He et al. 2015, PyTorch); "
        "Keras starts from 0 and Flax from 0.01.\n\n"
        'References: He, Zhang, Ren and Sun, "Delving Deep into Rectifiers", 2015. https://arxiv.org/abs/1502.01852',
        example="PReLU()",
    ),
    LayerSpec(
        "SwishBeta",
        "Swish with a learned temperature: ``swish_beta(x, beta)`` (beta=1.702 is QuickGELU).",
        lambda x, c: _learnable.swish_beta(x, c.p["beta"]),
        fields=(Field("per_channel", False, boolean, "one beta per channel (last axis) instead of one scalar"),),
        params=(Param("beta", 1.0, per_channel_if("per_channel"), doc="the temperature; default 1.0 (silu)"),),
        doc='References: Ramachandran, Zoph and Le, "Searching for Activation Functions", 2017. '
        "https://arxiv.org/abs/1710.05941",
        example="SwishBeta(beta_init=1.702)",
    ),
    LayerSpec(
        "PELU",
        "Parametric ELU: ``pelu(x, alpha, beta)``.",
        lambda x, c: _learnable.pelu(x, c.p["alpha"], c.p["beta"]),
        fields=(Field("per_channel", False, boolean, "one (alpha, beta) per channel instead of one pair"),),
        params=(
            Param("alpha", 1.0, per_channel_if("per_channel"), doc="a > 0; default 1.0", domain=_registry.positive),
            Param("beta", 1.0, per_channel_if("per_channel"), doc="b > 0; default 1.0", domain=_registry.positive),
        ),
        doc="Keep alpha and beta positive during training (the paper clips them at 0.1 after each update).\n\n"
        'References: Trottier, Giguère and Chaib-draa, "Parametric Exponential Linear Unit", 2017. '
        "https://arxiv.org/abs/1605.09332",
        example="PELU()",
    ),
    LayerSpec(
        "SReLU",
        "S-shaped ReLU, per channel: ``srelu(x, t_left, a_left, t_left + |t_delta|, a_right)``.",
        lambda x, c: _learnable.srelu(
            x, c.p["t_left"], c.p["a_left"], c.p["t_left"] + jnp.abs(c.p["t_delta"]), c.p["a_right"]
        ),
        params=(
            Param("t_left", 0.0, channel, doc="left breakpoint"),
            Param("a_left", 0.0, channel, doc="slope left of it"),
            Param("t_delta", 1.0, channel, doc="t_right - t_left, stored through abs so the breakpoints stay ordered"),
            Param("a_right", 1.0, channel, doc="slope right of t_right"),
        ),
        doc="The breakpoints stay ordered by construction: ``t_right = t_left + |t_delta|``. The defaults start "
        'as relu.\n\nReferences: Jin et al., "Deep Learning with S-shaped Rectified Linear Activation Units", '
        "2015. https://arxiv.org/abs/1512.07030",
        example="SReLU()",
    ),
    LayerSpec(
        "APL",
        "Adaptive piecewise linear unit, per channel: ``apl(x, a, b)`` with ``hinges`` hinges.",
        lambda x, c: _learnable.apl(x, c.p["a"], c.p["b"]),
        fields=(Field("hinges", 2, positive_int, "number of hinges S"),),
        params=(
            Param("a", 0.0, hinge_shape, doc="hinge slopes, shape (S, C); default 0 (starts as relu)"),
            Param(
                "b",
                None,
                hinge_shape,
                initial=_apl_b,
                doc="hinge locations, shape (S, C); default evenly spaced in [-1, 1], sorted",
            ),
        ),
        doc="The output does not depend on the order of the hinges; they start sorted.\n\nReferences: "
        'Agostinelli, Hoffman, Sadowski and Baldi, "Learning Activation Functions to Improve Deep Neural '
        'Networks", 2014. https://arxiv.org/abs/1412.6830',
        example="APL(hinges=2)",
    ),
    LayerSpec(
        "Snake",
        "Snake, one frequency per channel: ``snake(x, alpha)``.",
        lambda x, c: _learnable.snake(x, _exp_if(c.cfg, c.p["alpha"])),
        fields=(
            Field("per_channel", True, boolean, "one alpha per channel (default) instead of one scalar"),
            Field("log_scale", False, boolean, "store log(alpha) (BigVGAN's option); alpha_init stays in linear scale"),
        ),
        params=(Param("alpha", 1.0, per_channel_if("per_channel"), stored=_log_if("log_scale"), doc="default 1.0"),),
        doc='References: Liu Ziyin, Hartwig and Ueda, "Neural Networks Fail to Learn Periodic Functions and How '
        'to Fix It", 2020. https://arxiv.org/abs/2006.08195',
        example="Snake()",
    ),
    LayerSpec(
        "SnakeBeta",
        "SnakeBeta, per channel: ``snake_beta(x, alpha, beta)``.",
        lambda x, c: _learnable.snake_beta(x, _exp_if(c.cfg, c.p["alpha"]), _exp_if(c.cfg, c.p["beta"])),
        fields=(
            Field("per_channel", True, boolean, "one (alpha, beta) per channel (default) instead of one pair"),
            Field("log_scale", False, boolean, "store log(alpha), log(beta) (BigVGAN's option)"),
        ),
        params=(
            Param("alpha", 1.0, per_channel_if("per_channel"), stored=_log_if("log_scale"), doc="default 1.0"),
            Param(
                "beta",
                1.0,
                per_channel_if("per_channel"),
                stored=_log_if("log_scale"),
                doc="nonzero; default 1.0",
                domain=_nonzero,
            ),
        ),
        doc='References: Lee et al., "BigVGAN: A Universal Neural Vocoder with Large-Scale Training", 2022. '
        "https://arxiv.org/abs/2206.04658",
        example="SnakeBeta(log_scale=True)",
    ),
    LayerSpec(
        "Rational",
        "Rational (safe Padé) activation unit: ``rational(x, numerator, denominator)``.",
        lambda x, c: _learnable.rational(x, c.p["numerator"], c.p["denominator"]),
        fields=(
            Field("degrees", (5, 4), degrees, "(m, n): numerator and denominator degrees; default (5, 4) as PAU"),
            Field(
                "approximates",
                "leaky_relu",
                activation_id,
                "the activation the coefficients start from "
                "(a least-squares fit on [-3, 3] in float64 at construction); default 'leaky_relu'",
            ),
            Field("per_channel", False, boolean, "one rational per channel instead of one per layer"),
        ),
        params=(
            Param("numerator", None, rational_shapes(0), initial=_rational_initial(0), doc="a_0..a_m"),
            Param("denominator", None, rational_shapes(1), initial=_rational_initial(1), doc="b_1..b_n"),
        ),
        doc='References: Molina, Schramowski and Kersting, "Padé Activation Units", 2019. '
        "https://arxiv.org/abs/1907.06732",
        example='Rational(approximates="gelu")',
    ),
    LayerSpec(
        "XIELU",
        "xIELU with softplus-parameterized alpha_p > 0 and alpha_n > beta: ``xielu(x, ...)``.",
        _xielu,
        fields=(
            Field("beta", 0.5, real, "the fixed linear slope; default 0.5"),
            Field("eps", -1e-6, real, "the clamp of the negative branch, <= 0; default -1e-6"),
        ),
        params=(
            Param(
                "alpha_p",
                0.8,
                scalar,
                stored=lambda cfg, v: _softplus_inv(v),
                doc="initial alpha_p > 0 (stored as softplus^-1); default 0.8",
                domain=_registry.positive,
            ),
            Param(
                "alpha_n",
                0.8,
                scalar,
                stored=lambda cfg, v: _softplus_inv(np.asarray(v) - cfg["beta"]),
                doc="initial alpha_n > beta (stored as softplus^-1(alpha_n - beta)); default 0.8",
            ),
        ),
        validate=_check_xielu,
        doc='References: Huang and Schlag, "Deriving Activation Functions Using Integration", 2024. '
        "https://arxiv.org/abs/2411.13010",
        example="XIELU()",
    ),
    LayerSpec(
        "StarReLU",
        "StarReLU: ``star_relu(x, scale, bias)`` with scalar learned scale and bias.",
        lambda x, c: _learnable.star_relu(x, c.p["scale"], c.p["bias"]),
        params=(
            Param("scale", _learnable._STAR_SCALE, scalar, doc="default 1/sqrt(1.25)"),
            Param("bias", _learnable._STAR_BIAS, scalar, doc="default -0.5/sqrt(1.25)"),
        ),
        doc='References: Yu et al., "MetaFormer Baselines for Vision", 2022. https://arxiv.org/abs/2210.13452',
        example="StarReLU()",
    ),
    LayerSpec(
        "AconC",
        "ACON-C, per channel: ``acon_c(x, p1, p2, beta)``.",
        lambda x, c: _learnable.acon_c(x, c.p["p1"], c.p["p2"], c.p["beta"]),
        params=(
            Param("p1", 1.0, channel, doc="default 1.0"),
            Param("p2", 0.0, channel, doc="default 0.0 (so the layer starts as silu)"),
            Param("beta", 1.0, channel, doc="default 1.0"),
        ),
        doc="The reference code draws p1, p2 from a standard normal; here they start at 1 and 0 (silu).\n\n"
        'References: Ma et al., "Activate or Not: Learning Customized Activation", 2021. '
        "https://arxiv.org/abs/2009.04759",
        example="AconC()",
    ),
    LayerSpec(
        "DyT",
        "Dynamic tanh: ``dyt(x, alpha, weight, bias)``, a drop-in for layer normalization.",
        lambda x, c: _learnable.dyt(x, c.p["alpha"], c.p["weight"], c.p["bias"]),
        params=(
            Param("alpha", 0.5, scalar, doc="scalar input scale; default 0.5"),
            Param("weight", 1.0, channel, doc="per-channel output scale; default 1"),
            Param("bias", 0.0, channel, doc="per-channel output shift; default 0"),
        ),
        doc='References: Zhu, Chen, He, LeCun and Liu, "Transformers without Normalization", 2025. '
        "https://arxiv.org/abs/2503.10622",
        example="DyT()",
    ),
    LayerSpec(
        "RReLU",
        "Randomized leaky ReLU: ``rrelu(x, key, lower, upper, deterministic)``.",
        _rrelu,
        fields=(
            Field("lower", 1.0 / 8.0, unit, "lower bound of the random slope; default 1/8"),
            Field("upper", 1.0 / 3.0, unit, "upper bound; default 1/3"),
        ),
        flags=("deterministic",),
        rng="rrelu",
        validate=_check_rrelu,
        doc="When not deterministic each element's negative slope is drawn from U(lower, upper) with a key "
        "from the ``'rrelu'`` RNG stream (linen: ``rngs={'rrelu': key}``; NNX: ``nnx.Rngs(rrelu=...)`` or "
        "the ``default`` stream); deterministic uses the mean slope (lower + upper) / 2, as PyTorch.\n\n"
        'References: Xu, Wang, Chen and Li, "Empirical Evaluation of Rectified Activations in Convolutional '
        'Network", 2015. https://arxiv.org/abs/1505.00853',
        example="RReLU(deterministic=True)",
    ),
    LayerSpec(
        "Dice",
        "Dice (DIN): ``dice(x, alpha, mean, var, epsilon)`` with batch statistics per channel.",
        _dice,
        fields=(
            Field("momentum", 0.99, unit, "running = momentum * running + (1 - momentum) * batch; default 0.99"),
            Field("epsilon", 1e-8, pos, "added to the variance; default 1e-8 (the paper's)"),
        ),
        params=(Param("alpha", 0.0, channel, doc="per-channel slope of the off state; default 0"),),
        stats=(Stat("mean", 0.0, channel), Stat("var", 1.0, channel)),
        flags=("use_running_average",),
        doc="Training (``use_running_average=False``) normalizes with the batch mean and biased variance over "
        "all axes but the last and updates the running statistics (``batch_stats`` in linen, ``nnx.BatchStat`` "
        'in NNX); inference uses the running ones.\n\nReferences: Zhou et al., "Deep Interest Network for '
        'Click-Through Rate Prediction", 2018. https://arxiv.org/abs/1706.06978',
        example="Dice(use_running_average=True)",
    ),
    LayerSpec(
        "GLU",
        "Gated linear unit ``a * activation(b)`` with ``x = [a, b]`` split along ``axis``.",
        lambda x, c: _compose.gated(c.cfg["activation"], c.cfg["axis"])(x),
        fields=(
            Field("activation", "sigmoid", activation_id, "the gate; default 'sigmoid' (GLU)"),
            Field("axis", -1, integer, "the axis split in halves; default -1"),
        ),
        doc="The SECOND half is gated, as in PyTorch, jax.nn and Keras; the output has half the size on axis.\n\n"
        'References: Dauphin, Fan, Auli and Grangier, "Language Modeling with Gated Convolutional Networks", '
        "2016. https://arxiv.org/abs/1612.08083",
        example='GLU(activation="silu")',
    ),
    LayerSpec(
        "Mix",
        "Learnable softmax-weighted mixture ``sum_k softmax(logits)_k f_k(x)`` (adaptive blending units).",
        lambda x, c: _compose.mix(list(c.cfg["activations"]))(x, c.p["logits"]),
        fields=(
            Field("activations", ("relu", "tanh", "silu"), activation_list, "the activations mixed"),
            Field("per_channel", False, boolean, "one weight vector per channel instead of one"),
        ),
        params=(Param("logits", 0.0, mix_shape, doc="mixing logits, shape (K,) or (K, C); default 0 (uniform)"),),
        doc='References: Sütfeld et al., "Adaptive Blending Units", 2018. https://arxiv.org/abs/1806.10064',
        example='Mix(activations=("relu", "tanh"))',
    ),
)

BY_NAME: dict[str, LayerSpec] = {s.name: s for s in SPECS}

# Fields every layer with parameters or statistics also has.
SHAPE_FIELD = Field(
    "in_features",
    None,
    shape_field,
    "the input's channel count (int) or per-example shape (tuple, batch excluded); linen infers it from the "
    "first input (and checks it when given), NNX needs it for layers with per-channel or per-element parameters",
)
DTYPE_FIELD = Field(
    "param_dtype", jnp.float32, dtype_field, "dtype of the parameters (and statistics); default float32"
)
FLAG_FIELDS = {
    f: Field(f, None, optional_boolean, f"default for the call's {f}") for f in ("deterministic", "use_running_average")
}


def all_fields(spec: LayerSpec) -> tuple[Field, ...]:
    """Every constructor field, in order: config, initial values, flags, dtype, in_features."""
    out = list(spec.fields)
    out += [Field(f"{p.name}_init", p.init, None, _INIT_DOC) for p in spec.params]
    out += [FLAG_FIELDS[f] for f in spec.flags]
    if spec.needs_shape:
        out += [DTYPE_FIELD, SHAPE_FIELD]
    return tuple(out)


def configure(spec: LayerSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The one entry point of both APIs' constructors: canonical field values, checked (see :func:`check_config`)."""
    cfg = {k: canonical(k, v, spec.name) for k, v in values.items()}
    check_config(spec, cfg)
    return cfg


def _init_value(spec: LayerSpec, p: Param, cfg: Mapping[str, Any]) -> np.ndarray | None:
    """A ``<param>_init`` field: a number or array in the parameter's domain (returned), a Flax initializer or,
    where the layer computes the initial value, None (both give None)."""
    name = f"{p.name}_init"
    v = cfg[name]
    allowed = "a finite number, an array or a Flax initializer" + (" (or None: computed)" if p.initial else "")
    if (v is None and p.initial is not None) or (callable(v) and not isinstance(v, type)):
        return None
    arr = None
    if v is not None and not isinstance(v, (bool, np.bool_, str, bytes, Mapping)):
        try:
            arr = np.asarray(v)
        except (TypeError, ValueError):
            arr = None
    if arr is None or arr.dtype.kind not in "iuf":
        raise TypeError(f"{spec.name}: {name}={v!r} has the wrong type; expected {allowed}")
    msg = p.domain(arr)
    if msg is not None:
        raise ValueError(f"{spec.name}: {name}={v!r} is not allowed; expected {msg}")
    return np.asarray(arr, np.float64)


def check_config(spec: LayerSpec, cfg: Mapping[str, Any]) -> None:
    """Validate a layer's fields (at construction, in both APIs): type and domain, each error naming its field.

    Order: each field's own check, each initial value's type and domain, the layer's cross-field check, then
    the initial values' stored forms (e.g. log(alpha) with log_scale=True) and the parameter shapes.
    """
    for f in all_fields(spec):
        if f.check is not None:
            f.check(spec.name, f.name, cfg[f.name])
    inits = {p.name: _init_value(spec, p, cfg) for p in spec.params}
    if spec.validate is not None:
        spec.validate(cfg)
    for p in spec.params:
        v = inits[p.name]
        if v is None or p.stored is None:
            continue
        name = f"{p.name}_init"
        try:
            with np.errstate(all="ignore"):
                stored = np.asarray(p.stored(cfg, v))
        except ValueError as e:
            raise ValueError(f"{spec.name}: {name}={cfg[name]!r} is not allowed; {e}") from None
        if not np.all(np.isfinite(stored)):
            raise ValueError(f"{spec.name}: {name}={cfg[name]!r} is not allowed; its stored form is not finite")
    if spec.needs_shape and cfg["in_features"] is not None:
        g = Geometry(spec.name, in_features=cfg["in_features"])
        for p in spec.params:
            p.shape(cfg, g)


def initializer(spec: LayerSpec, p: Param, cfg: Mapping[str, Any]) -> Callable[..., Any]:
    """The Flax initializer ``init(key, shape, dtype)`` for parameter ``p``."""
    v = cfg[f"{p.name}_init"]
    if callable(v):
        return v

    def init(key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        shape = tuple(shape)
        if v is None:
            value = np.asarray(p.initial(cfg, shape), np.float64)
        else:
            value = np.asarray(v, np.float64)
            if p.stored is not None:
                value = p.stored(cfg, value)
        try:
            value = np.broadcast_to(value, shape)
        except ValueError:
            raise ValueError(
                f"{spec.name}: {p.name}_init of shape {np.shape(value)} does not broadcast to the parameter's shape {shape}"
            ) from None
        return jnp.asarray(value, dtype)

    return init


def check_input(spec: LayerSpec, cfg: Mapping[str, Any], x: jax.Array, actual: Mapping[str, tuple[int, ...]]) -> None:
    """Raise a clear ValueError when ``x`` does not fit parameters of shapes ``actual``."""
    g = Geometry(spec.name, shape=tuple(x.shape))
    for p in [*spec.params, *spec.stats]:
        if p.name not in actual:
            continue
        want = tuple(p.shape(cfg, g))
        have = tuple(actual[p.name])
        if want != have:
            detail = ""
            if spec.name == "PReLU" and prelu_mode(cfg) == "element":
                detail = " (mode='element' counts the batch as axis 0; the non-shared axes must match)"
            elif len(have) >= 1:
                detail = f" (the channel axis, the last, must have size {have[-1]})"
            raise ValueError(
                f"{spec.name}: input of shape {tuple(x.shape)} does not fit parameter {p.name!r} of shape {have}; "
                f"this input would need {want}{detail}"
            )


def shapes(spec: LayerSpec, cfg: Mapping[str, Any], g: Geometry) -> dict[str, tuple[int, ...]]:
    return {p.name: tuple(p.shape(cfg, g)) for p in [*spec.params, *spec.stats]}


def config_of(spec: LayerSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"class_name": ..., "config": {...}}`` with JSON-able values."""
    return {"class_name": spec.name, "config": {f.name: jsonable(f.name, values[f.name]) for f in all_fields(spec)}}


def from_json_field(name: str, v: Any) -> Any:
    if name == "param_dtype" and isinstance(v, str):
        return jnp.dtype(v).type
    return canonical(name, v)


def repr_of(spec: LayerSpec, values: Mapping[str, Any]) -> str:
    parts = []
    for f in all_fields(spec):
        v = values[f.name]
        if f.name == "param_dtype":
            same = jnp.dtype(v) == jnp.dtype(f.default)
        else:
            same = v is f.default or (not callable(v) and _same(v, f.default))
        if not same:
            if f.name == "param_dtype":
                shown = f"jnp.{jnp.dtype(v).name}"
            elif isinstance(v, _registry.Configured) or (callable(v) and _registry._BY_FN.get(id(v))):
                shown = repr(_registry.serialize(v))
            else:
                shown = repr(v)
            parts.append(f"{f.name}={shown}")
    return f"{spec.name}({', '.join(parts)})"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False
