"""Combinators: build activations from activations.

Each combinator returns a :class:`jax_activations.Configured` activation, the
same kind of object ``ja.get("leaky_relu", negative_slope=0.1)`` returns: it is
called like any activation, compares and hashes by value (so it can be a static
argument to ``jit`` or a Flax field), and serializes to JSON and back::

    >>> import jax.numpy as jnp
    >>> import jax_activations as ja
    >>> from jax_activations.compose import compose, scaled
    >>> act = compose("relu", ja.get("leaky_relu", negative_slope=0.1))
    >>> ja.serialize(act)
    {'name': 'compose', 'config': {'functions': ['relu', {'name': 'leaky_relu', 'config': {'negative_slope': 0.1}}]}}
    >>> ja.deserialize(ja.serialize(act)) == act
    True
    >>> scaled("tanh", scale=2.0)(jnp.array([0.0]))
    Array([0.], dtype=float32)

The inner activations must be registered (a name, a configured activation, a
registered user function or another combinator) so the result can be
serialized.  The combinator names (``compose``, ``scaled``, ``gated``, ``mix``)
are registered with ``kind="combinator"``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from jax_activations import _numerics, _registry
from jax_activations._registry import Configured, Spec

__all__ = ["compose", "gated", "mix", "scaled"]


@functools.lru_cache(maxsize=512)
def _resolve_key(key: str) -> Callable[..., jax.Array]:
    return _registry.get(json.loads(key))


def _resolve(ident: Any) -> Callable[..., jax.Array]:
    """A serialized identifier (as stored in a config) -> the activation (cached)."""
    if isinstance(ident, (str, Mapping)):
        return _resolve_key(json.dumps(ident, sort_keys=True))
    return _registry.get(ident)


def _check_function(where: str, f: Any) -> None:
    try:
        resolved = _registry.get(f)
        _registry.serialize(resolved)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}={f!r} is not allowed; expected a registered activation ({e})") from None


def _validator(name: str, allowed: tuple[str, ...], check: Callable[[dict[str, Any]], None]):
    def validate(config: Mapping[str, Any]) -> dict[str, Any]:
        config = dict(config)
        for k in config:
            if k not in allowed:
                raise ValueError(f"{name}: unknown argument {k!r}; allowed: {', '.join(allowed)}")
        check(config)
        return config

    return validate


def _register(
    name: str, fn: Callable[..., jax.Array], params: dict[str, Any], check: Callable[[dict[str, Any]], None]
) -> None:
    fn._validate_config = _validator(name, tuple(params), check)  # type: ignore[attr-defined]
    if name in _registry.names(kind="combinator"):
        return  # module reloaded: keep the first registration
    _registry._add(
        Spec(
            name=name, fn=fn, params=params, family="combinator", kind="combinator", formula=fn.__doc__.splitlines()[0]
        ),
        override=False,
    )


def _as_list(where: str, fs: Any) -> list[Any]:
    if isinstance(fs, (str, Mapping)) or callable(fs):
        raise ValueError(f"{where}={fs!r} is not allowed; expected a list of activations")
    fs = list(fs)
    if not fs:
        raise ValueError(f"{where}=[] is not allowed; expected at least one activation")
    return fs


# --------------------------------------------------------------------------- #
# compose
# --------------------------------------------------------------------------- #


def _compose_apply(x: Any, functions: Any = ()) -> jax.Array:
    """f(g(...(x))): the last function is applied first (mathematical order)."""
    y = x
    for f in reversed(list(functions)):
        y = _resolve(f)(y)
    return y


def _compose_check(cfg: dict[str, Any]) -> None:
    for i, f in enumerate(_as_list("compose: functions", cfg.get("functions", ()))):
        _check_function(f"compose: functions[{i}]", f)


_register("compose", _compose_apply, {"functions": ()}, _compose_check)


def compose(*functions: Any) -> Configured:
    """The composition ``f(g(h(x)))`` of ``compose(f, g, h)`` (the last is applied first).

    Args:
      *functions: activations (names, config dicts, configured or registered
        activations, other combinators), at least one.

    Returns:
      A :class:`~jax_activations.Configured` activation that serializes to
      ``{"name": "compose", "config": {"functions": [...]}}``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jax_activations.compose import compose
      >>> compose("tanh", "relu")(jnp.array([-1.0, 0.5]))
      Array([0.        , 0.46211717], dtype=float32)
    """
    return Configured("compose", {"functions": _as_list("compose: functions", functions)})


# --------------------------------------------------------------------------- #
# scaled
# --------------------------------------------------------------------------- #


def _scaled_apply(
    x: Any,
    function: Any = "linear",
    scale: float = 1.0,
    shift: float = 0.0,
    input_scale: float = 1.0,
    input_shift: float = 0.0,
) -> jax.Array:
    """scale * f(input_scale * x + input_shift) + shift."""
    x = jnp.asarray(x)
    dt = _numerics.output_dtype(x.dtype)
    xc = x.astype(_numerics.compute_dtype(dt))
    if input_scale != 1.0 or input_shift != 0.0:
        xc = input_scale * xc + input_shift
    y = _resolve(function)(xc)
    return (scale * y + shift).astype(dt)


def _scaled_check(cfg: dict[str, Any]) -> None:
    _check_function("scaled: function", cfg.get("function", "linear"))
    for k in ("scale", "shift", "input_scale", "input_shift"):
        if k in cfg:
            _registry._check_value("scaled", k, cfg[k], _registry.finite)
            if jnp.ndim(cfg[k]) != 0:
                raise ValueError(f"scaled: {k}={cfg[k]!r} is not allowed; expected a finite real number")


_register(
    "scaled",
    _scaled_apply,
    {"function": "linear", "scale": 1.0, "shift": 0.0, "input_scale": 1.0, "input_shift": 0.0},
    _scaled_check,
)


def scaled(
    function: Any, scale: float = 1.0, shift: float = 0.0, *, input_scale: float = 1.0, input_shift: float = 0.0
) -> Configured:
    """The affine wrapper ``scale * f(input_scale * x + input_shift) + shift``.

    Half-precision inputs are computed in float32 and rounded once.

    Args:
      function: the activation ``f``.
      scale, shift: applied to the output. Defaults 1.0 and 0.0.
      input_scale, input_shift: applied to the input first. Defaults 1.0 and 0.0.

    Returns:
      A serializable :class:`~jax_activations.Configured` activation.

    Example:
      >>> import jax.numpy as jnp
      >>> from jax_activations.compose import scaled
      >>> scaled("sigmoid", scale=2.0, shift=-1.0)(jnp.array([0.0, 1.0]))   # = tanh(x / 2)
      Array([0.       , 0.4621172], dtype=float32)
    """
    cfg = {"function": function, "scale": scale, "shift": shift, "input_scale": input_scale, "input_shift": input_shift}
    return Configured("scaled", cfg)


# --------------------------------------------------------------------------- #
# gated (GLU family)
# --------------------------------------------------------------------------- #


def _gated_apply(x: Any, function: Any = "sigmoid", axis: int = -1) -> jax.Array:
    """a * f(b) where x = [a, b] is split in halves along axis."""
    x = jnp.asarray(x)
    if x.ndim == 0:
        raise ValueError("gated: x must have at least one axis to split, got a scalar")
    ax = axis % x.ndim if -x.ndim <= axis < x.ndim else None
    if ax is None:
        raise ValueError(f"gated: axis={axis} is out of range for an input of rank {x.ndim}")
    if x.shape[ax] % 2:
        raise ValueError(f"gated: the size of axis {axis} must be even to split it in halves, got {x.shape[ax]}")
    a, b = jnp.split(x, 2, axis=ax)
    g = _resolve(function)(b)
    dt = _numerics.output_dtype(x.dtype)
    comp = _numerics.compute_dtype(dt)
    return (a.astype(comp) * g.astype(comp)).astype(dt)


def _gated_check(cfg: dict[str, Any]) -> None:
    _check_function("gated: function", cfg.get("function", "sigmoid"))
    ax = cfg.get("axis", -1)
    if isinstance(ax, bool) or not isinstance(ax, int):
        raise ValueError(f"gated: axis={ax!r} is not allowed; expected an integer")


_register("gated", _gated_apply, {"function": "sigmoid", "axis": -1}, _gated_check)


def gated(function: Any = "sigmoid", axis: int = -1) -> Configured:
    """The gated linear unit of an activation: ``a * f(b)`` with ``x = [a, b]``.

    ``x`` is split in two halves along ``axis`` (its size must be even); the
    SECOND half goes through the gate ``f``, as in torch, jax.nn and Keras'
    ``glu``.  ``gated("sigmoid")`` is GLU, ``gated("silu")`` SwiGLU,
    ``gated("gelu")`` GEGLU, ``gated("relu")`` ReGLU.  The output's size on
    ``axis`` is half the input's.

    Args:
      function: the gate activation. Default ``"sigmoid"``.
      axis: the axis to split. Default -1.

    Returns:
      A serializable :class:`~jax_activations.Configured` activation.

    Example:
      >>> import jax.numpy as jnp
      >>> from jax_activations.compose import gated
      >>> gated("relu")(jnp.array([2.0, 3.0, -1.0, 0.5]))
      Array([0. , 1.5], dtype=float32)
    """
    return Configured("gated", {"function": function, "axis": axis})


# --------------------------------------------------------------------------- #
# mix (adaptive blending)
# --------------------------------------------------------------------------- #


def _mix_apply(x: Any, logits: Any = None, *, functions: Any = ()) -> jax.Array:
    """sum_k softmax(logits)_k f_k(x)."""
    fs = [_resolve(f) for f in functions]
    x = jnp.asarray(x)
    dt = _numerics.output_dtype(x.dtype)
    comp = _numerics.compute_dtype(dt)
    if logits is None:
        w = jnp.full((len(fs),), 1.0 / len(fs), comp)
    else:
        logits = jnp.asarray(logits, comp)
        if logits.ndim == 0 or logits.shape[0] != len(fs):
            raise ValueError(
                f"mix: logits of shape {logits.shape} do not fit {len(fs)} activations; expected ({len(fs)}, ...)"
            )
        w = jax.nn.softmax(logits, axis=0)
    out = sum(w[k] * f(x).astype(comp) for k, f in enumerate(fs))
    return jnp.asarray(out).astype(dt)


def _mix_check(cfg: dict[str, Any]) -> None:
    for i, f in enumerate(_as_list("mix: functions", cfg.get("functions", ()))):
        _check_function(f"mix: functions[{i}]", f)


_register("mix", _mix_apply, {"functions": (), "logits": None}, _mix_check)


def mix(functions: Any) -> Configured:
    """A softmax-weighted mixture ``sum_k softmax(logits)_k f_k(x)`` (adaptive blending units).

    The returned activation takes the mixing ``logits`` as its second argument
    (shape ``(K,)`` or ``(K, ...)`` broadcasting against ``x``, e.g. ``(K, C)``
    per channel); without logits the weights are uniform.  The learnable layer
    is ``jax_activations.linen.Mix`` / ``jax_activations.nnx.Mix``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jax_activations.compose import mix
      >>> mix(["relu", "linear"])(jnp.array([-2.0, 2.0]))
      Array([-1.,  2.], dtype=float32)

    References:
      Sütfeld, Brieger, Finger, Füllhase and Pipa, "Adaptive Blending Units:
      Trainable Activation Functions for Deep Neural Networks", 2018.
      https://arxiv.org/abs/1806.10064
    """
    return Configured("mix", {"functions": _as_list("mix: functions", functions)})
