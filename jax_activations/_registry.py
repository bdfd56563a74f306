"""The registry: one :class:`Spec` per activation, and everything derived from it.

``get``/``serialize``/``deserialize``, the top-level names, the Flax layers, the
command line, the tests and the benchmarks all read this table.  Nothing here
computes an activation: the formulas live in :mod:`jax_activations.functions`.

Security: identifiers are only ever *looked up* in this table.  Nothing is
imported, evaluated, pickled or reached by attribute walking.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import inspect
import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jax_activations import _numerics

__all__ = [
    "Configured",
    "Spec",
    "activation",
    "deserialize",
    "get",
    "names",
    "register",
    "serialize",
    "spec",
    "specs",
]

_MISSING = inspect.Parameter.empty


# --------------------------------------------------------------------------- #
# Hyperparameter domains: each returns None when ``v`` (a concrete NumPy array)
# is allowed, or a phrase saying what is allowed.
# --------------------------------------------------------------------------- #


def _real(v: np.ndarray) -> bool:
    return v.dtype.kind in "biuf"


def finite(v: np.ndarray) -> str | None:
    ok = _real(v) and bool(np.all(np.isfinite(v)))
    return None if ok else "a finite real number"


def nonnegative(v: np.ndarray) -> str | None:
    ok = _real(v) and bool(np.all(np.isfinite(v) & (v >= 0)))
    return None if ok else "a finite number >= 0"


def positive(v: np.ndarray) -> str | None:
    ok = _real(v) and bool(np.all(np.isfinite(v) & (v > 0)))
    return None if ok else "a finite number > 0"


def not_nan(v: np.ndarray) -> str | None:
    ok = _real(v) and not bool(np.any(np.isnan(v)))
    return None if ok else "a real number (not NaN; +-inf allowed)"


def optional(check: Callable[[np.ndarray], str | None]) -> Callable[[Any], str | None]:
    def inner(v: Any) -> str | None:
        if v is None:
            return None
        msg = check(v)
        return None if msg is None else f"None or {msg}"

    inner.accepts_none = True  # type: ignore[attr-defined]
    return inner


def one_of(*choices: Any) -> Callable[[Any], str | None]:
    def inner(v: Any) -> str | None:
        return None if any(v is c or v == c for c in choices) else f"one of {', '.join(map(repr, choices))}"

    inner.static_value = True  # type: ignore[attr-defined]
    return inner


def _check_value(
    fname: str,
    arg: str,
    value: Any,
    check: Callable[..., str | None] | None,
    *,
    numeric: bool = True,
    dtype: Any = None,
    shape: tuple[int, ...] | None = None,
    series: bool = False,
) -> None:
    """Check one hyperparameter: its type, that it broadcasts to ``x``'s shape, and its domain.

    Concrete values are checked as the computation will see them: rounded to
    the compute ``dtype`` (so ``alpha=1e-60`` is refused for a float32 input,
    where it would be 0).  Traced values are checked for shape only.
    """
    if check is not None and getattr(check, "static_value", False):
        msg = check(value)
    elif value is None:
        if check is None or getattr(check, "accepts_none", False):
            return
        msg = check(np.asarray(np.nan))
    elif not numeric:
        msg = None if check is None else check(value)
    else:
        if isinstance(value, (str, bytes, dict, set)) or (callable(value) and not hasattr(value, "shape")):
            raise TypeError(f"{fname}: {arg}={value!r} has the wrong type; expected a real number or array")
        vshape = np.shape(value) if hasattr(value, "shape") or not isinstance(value, (list, tuple)) else None
        arr = _numerics.concrete(value)
        if arr is not None:
            if arr.dtype.kind == "V" and jnp.issubdtype(arr.dtype, jnp.floating):  # bfloat16 & co. (ml_dtypes)
                arr = arr.astype(np.float32)
            if arr.dtype == object or arr.dtype.kind in "USVc":
                raise TypeError(f"{fname}: {arg}={value!r} has the wrong type; expected a real number or array")
            vshape = arr.shape
        if series and vshape:
            vshape = vshape[1:]  # the coefficient axis
        if shape is not None and vshape is not None and vshape:
            try:
                ok = np.broadcast_shapes(shape, vshape) == tuple(shape)
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(
                    f"{fname}: {arg} has shape {vshape}, which does not broadcast to x's shape {tuple(shape)} "
                    "without changing it; expected a scalar or an array broadcastable to x"
                )
        if arr is None or check is None:  # traced: the domain is the math's business
            return
        msg = check(arr)
        if (
            msg is None
            and dtype is not None
            and arr.dtype.kind == "f"
            and np.dtype(dtype).itemsize < arr.dtype.itemsize
        ):
            with np.errstate(all="ignore"):
                rounded = arr.astype(dtype)
            inner = check(rounded)
            if inner is not None:
                msg = f"{inner} when rounded to {np.dtype(dtype).name} (the compute dtype of x)"
    if msg is not None:
        raise ValueError(f"{fname}: {arg}={value!r} is not allowed; expected {msg}")


# --------------------------------------------------------------------------- #
# Specs
# --------------------------------------------------------------------------- #


@dataclasses.dataclass(frozen=True)
class Spec:
    """Everything the library knows about one registered activation."""

    name: str
    fn: Callable[..., Any]
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    static: tuple[str, ...] = ()
    formula: str = ""
    kinks: str = ""
    family: str = "custom"
    kind: str = "elementwise"  # "elementwise" | "axis" | "learnable" | "random" | "custom" | "combinator"
    builtin: bool = False

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.fn) or ""
        return doc.splitlines()[0] if doc else ""


_SPECS: dict[str, Spec] = {}
_LOOKUP: dict[str, str] = {}  # name or alias -> canonical name
_BY_FN: dict[int, str] = {}  # id(fn) -> canonical name


def _add(spec: Spec, override: bool) -> None:
    keys = (spec.name, *spec.aliases)
    for key in keys:
        if not isinstance(key, str) or not key:
            raise TypeError(f"register: name {key!r} must be a non-empty string")
        if key in _LOOKUP and not override:
            raise ValueError(
                f"register: an activation named {key!r} is already registered "
                f"(as {_LOOKUP[key]!r}); pass override=True to replace it"
            )
    if override:
        for key in keys:
            old = _LOOKUP.get(key)
            if old is not None and old in _SPECS:
                _forget(old)
    _SPECS[spec.name] = spec
    for key in keys:
        _LOOKUP[key] = spec.name
    _BY_FN[id(spec.fn)] = spec.name


def _forget(name: str) -> None:
    spec = _SPECS.pop(name)
    for key in (spec.name, *spec.aliases):
        _LOOKUP.pop(key, None)
    _BY_FN.pop(id(spec.fn), None)


def names(*, aliases: bool = False, kind: str | None = None) -> list[str]:
    """Registered activation names, sorted (with their aliases when ``aliases=True``)."""
    out = [n for n, s in _SPECS.items() if kind is None or s.kind == kind]
    if aliases:
        out += [a for n in out for a in _SPECS[n].aliases]
    return sorted(out)


def specs() -> list[Spec]:
    """Every registered :class:`Spec`, sorted by name."""
    return [_SPECS[n] for n in sorted(_SPECS)]


def _unknown(name: str) -> ValueError:
    close = difflib.get_close_matches(name, list(_LOOKUP), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    return ValueError(f"activation: unknown name {name!r}{hint} (jax_activations.names() lists all {len(_SPECS)})")


def spec(name: str) -> Spec:
    """The :class:`Spec` registered under ``name`` or one of its aliases."""
    if not isinstance(name, str):
        raise TypeError(f"name: expected a string, got {type(name).__name__}")
    try:
        return _SPECS[_LOOKUP[name]]
    except KeyError:
        raise _unknown(name) from None


# --------------------------------------------------------------------------- #
# The decorator that turns a formula into a public, jit-compiled activation
# --------------------------------------------------------------------------- #


def activation(
    name: str,
    *,
    aliases: Iterable[str] = (),
    formula: str = "",
    kinks: str = "",
    family: str,
    kind: str = "elementwise",
    static: Iterable[str] = (),
    domains: Mapping[str, Callable[..., str | None]] | None = None,
    validate: Callable[..., None] | None = None,
    arg_aliases: Mapping[str, str] | None = None,
    raw: Iterable[str] = (),
    series: Iterable[str] = (),
) -> Callable[[Callable[..., jax.Array]], Callable[..., jax.Array]]:
    """Register a built-in activation from its formula.

    The decorated ``body(x, **hyper)`` receives ``x`` already in the compute dtype
    (float32 for float16/bfloat16; integers and bools promoted to the default
    float) and every numeric hyperparameter as an array of that dtype.  The
    public function it returns validates concrete hyperparameters, runs one
    compiled XLA computation and casts the result back to the output dtype.

    ``static`` arguments change the program (axis, approximate...); ``raw`` ones
    are passed through uncast (PRNG keys); every other argument may be a traced
    array, so learnable parameters and sweeps never recompile.  A numeric
    argument must broadcast to ``x``'s shape without changing it; ``series``
    arguments hold coefficients along their first axis, and only the rest of
    their shape must broadcast.
    """
    static = tuple(static)
    series = tuple(series)
    raw = tuple(raw)
    domains = dict(domains or {})
    arg_aliases = dict(arg_aliases or {})

    def deco(body: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
        sig = inspect.signature(body)
        pnames = list(sig.parameters)[1:]
        defaults = {p: sig.parameters[p].default for p in pnames}
        positional = [p for p in pnames if sig.parameters[p].kind != inspect.Parameter.KEYWORD_ONLY]
        for p in domains:
            if p not in pnames:
                raise TypeError(f"{name}: domain given for unknown parameter {p!r}")

        def direct(x: Any, **hyper: Any) -> jax.Array:
            x = jnp.asarray(x)
            out = _numerics.output_dtype(x.dtype)
            comp = _numerics.compute_dtype(out)
            xc = x.astype(comp)
            cast = {}
            for k, v in hyper.items():
                if k in static or k in raw or v is None:
                    cast[k] = v
                else:
                    cast[k] = _numerics.as_compute(v, comp)
            with _numerics.output_dtype_context(out):  # output-based rules save the returned array
                return body(xc, **cast).astype(out)

        compiled = jax.jit(direct, static_argnames=static)
        checked: dict[tuple[Any, ...], dict[str, Any]] = {}  # validated plain-scalar configurations

        def public(x: Any, *args: Any, **kwargs: Any) -> jax.Array:
            if isinstance(x, _NOT_ARRAYS):
                raise TypeError(f"{name}: x={x!r} is not an array; expected a real array or number")
            # Inside an enclosing jit trace a nested jit only adds a second trace and a linearization pass of
            # the same ops (XLA inlines it anyway): trace the formula in place there. Eager calls, eager
            # grad/vmap/hessian included, run the one compiled computation.
            call = direct if isinstance(x, _Tracer) and _under_jit() else compiled
            if not args and not kwargs:
                return call(x)
            key = _plain_key(x, args, kwargs)
            if key is not None:
                hit = checked.get(key)
                if hit is not None:  # the same plain values for the same dtype passed every check before
                    return call(x, **hit)
            if len(args) > len(positional):
                raise TypeError(
                    f"{name}: takes at most {len(positional)} positional hyperparameters after x "
                    f"({', '.join(positional) or 'none'}), got {len(args)}; pass the others by keyword"
                )
            hyper = _bind(name, pnames, args, kwargs, arg_aliases)
            comp, shape = _compute_dtype_and_shape(x)
            for k, v in hyper.items():
                numeric = k not in static and k not in raw
                _check_value(name, k, v, domains.get(k), numeric=numeric, dtype=comp, shape=shape, series=k in series)
                if k in static and isinstance(v, list):
                    hyper[k] = tuple(v)
                elif numeric and type(v) is int:  # a Python int beyond int32 would overflow jit's argument parsing
                    hyper[k] = float(v)
            if validate is not None:
                full = {**defaults, **hyper}
                validate(
                    **{
                        k: (v if k in static else _numerics.concrete(v) if v is not None else None)
                        for k, v in full.items()
                    }
                )
            if key is not None:
                if len(checked) >= _CHECKED_MAX:  # a sweep over Python floats must not grow it without bound
                    checked.clear()
                checked[key] = hyper
            return call(x, **hyper)

        functools.update_wrapper(public, body)
        public.__signature__ = sig  # type: ignore[attr-defined]
        public.__module__ = "jax_activations"
        public.__qualname__ = body.__name__
        public._compiled = compiled  # type: ignore[attr-defined]
        public._validate_config = functools.partial(
            _validate_config, name, pnames, domains, validate, defaults, static, arg_aliases
        )  # type: ignore[attr-defined]
        _add(
            Spec(
                name=name,
                fn=public,
                aliases=tuple(aliases),
                params={p: defaults[p] for p in pnames},
                static=static,
                formula=formula,
                kinks=kinks,
                family=family,
                kind=kind,
                builtin=True,
            ),
            override=False,
        )
        return public

    return deco


_NOT_ARRAYS = (str, bytes, dict, set, type(None))
_PLAIN = frozenset({bool, int, float, str, type(None)})
_CHECKED_MAX = 256
_Tracer = jax.core.Tracer

try:  # True while an enclosing jit (or scan, export, ...) is tracing, whatever transformations sit in between
    from jax.extend.core import unsafe_am_i_under_a_jit_DO_NOT_USE as _under_jit
except ImportError:  # pragma: no cover - a JAX without it keeps the nested jit everywhere

    def _under_jit() -> bool:
        return False


def _plain_key(x: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A cache key for hyperparameters that are all plain Python scalars (``None`` when any is not).

    Their checks depend only on the values, their types (``1``, ``1.0`` and ``True`` differ) and the
    compute dtype of ``x`` (the rounding check), never on ``x``'s shape or values.  Float zeros are left
    out: ``-0.0 == 0.0`` would let one sign stand for the other.
    """
    dtype = getattr(x, "dtype", None)
    if not isinstance(dtype, np.dtype):
        return None
    key = [dtype]
    for v in args:
        t = type(v)
        if t not in _PLAIN or (t is float and v == 0.0):
            return None
        key += (t, v)
    for k, v in kwargs.items():
        t = type(v)
        if t not in _PLAIN or (t is float and v == 0.0):
            return None
        key += (k, t, v)
    return tuple(key)


def _compute_dtype_and_shape(x: Any) -> tuple[Any, tuple[int, ...] | None]:
    try:
        dtype = x.dtype if hasattr(x, "dtype") else jnp.result_type(x)
        return _numerics.compute_dtype(_numerics.output_dtype(dtype)), tuple(np.shape(x))
    except (TypeError, ValueError):
        return None, None  # reported with x's own message when the computation runs


def _bind(
    fname: str,
    pnames: list[str],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    arg_aliases: Mapping[str, str],
    *,
    error: type[Exception] = TypeError,
) -> dict[str, Any]:
    if len(args) > len(pnames):
        raise error(
            f"{fname}: takes at most {len(pnames)} hyperparameters after x ({', '.join(pnames)}), got {len(args)}"
        )
    hyper = dict(zip(pnames, args, strict=False))
    for k, v in kwargs.items():
        key = arg_aliases.get(k, k)
        if key not in pnames:
            allowed = ", ".join(pnames) if pnames else "none"
            raise error(f"{fname}: unknown argument {k!r}; allowed: {allowed}")
        if key in hyper:
            raise error(f"{fname}: argument {key!r} given twice")
        hyper[key] = v
    return hyper


def _validate_config(
    fname: str,
    pnames: list[str],
    domains: Mapping[str, Callable[..., str | None]],
    validate: Callable[..., None] | None,
    defaults: Mapping[str, Any],
    static: tuple[str, ...],
    arg_aliases: Mapping[str, str],
    config: Mapping[str, Any],
) -> dict[str, Any]:
    hyper = _bind(fname, pnames, (), config, arg_aliases, error=ValueError)
    for k, v in hyper.items():
        _check_value(fname, k, v, domains.get(k))
    if validate is not None:
        full = {**defaults, **hyper}
        validate(
            **{k: (v if k in static else _numerics.concrete(v) if v is not None else None) for k, v in full.items()}
        )
    return hyper


# --------------------------------------------------------------------------- #
# Configured activations, user registration, get / serialize / deserialize
# --------------------------------------------------------------------------- #


def _jsonable(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"{where}={value!r}: configs hold finite numbers only")
        return f
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (np.ndarray, jax.Array)) and not isinstance(value, jax.core.Tracer):
        return _jsonable(np.asarray(value).tolist(), where)
    if isinstance(value, Configured) or callable(value):
        return serialize(value)
    raise TypeError(f"{where}={value!r}: a config value must be a number, string, bool, None, list or dict")


class Configured:
    """A registered activation with some hyperparameters fixed.

    It is an activation like any other (``act(x)``), knows its ``name`` and
    ``config``, compares and hashes by them (so it can be a static argument to
    :func:`jax.jit`), and serializes to ``{"name": ..., "config": {...}}``.
    """

    __slots__ = ("_fn", "_key", "config", "name")

    def __init__(self, name: str, config: Mapping[str, Any] | None = None):
        s = spec(name)
        config = dict(config or {})
        check = getattr(s.fn, "_validate_config", None)
        if check is not None:
            config = check(config)
        elif s.kind == "custom":
            params = inspect.signature(s.fn).parameters
            for k in config:
                if k not in params or k == next(iter(params), None):
                    raise ValueError(
                        f"{s.name}: unknown argument {k!r}; allowed: {', '.join(list(params)[1:]) or 'none'}"
                    )
        self.name = s.name
        self.config = json.loads(json.dumps(_jsonable(config, s.name)))
        self._key = json.dumps([self.name, self.config], sort_keys=True)
        statics = set(s.static)
        call_cfg = {k: (tuple(v) if k in statics and isinstance(v, list) else v) for k, v in self.config.items()}
        self._fn = functools.partial(s.fn, **call_cfg) if call_cfg else s.fn

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> jax.Array:
        return self._fn(x, *args, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Configured) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.config.items()))
        return f"{self.name}({args})"

    @property
    def __name__(self) -> str:
        return self.name

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "config": dict(self.config)}


def register(
    name: str | Callable[..., Any] | None = None,
    *,
    aliases: Iterable[str] = (),
    override: bool = False,
    formula: str = "",
) -> Any:
    """Register a user activation so ``get``, ``serialize`` and the layers know it.

    Use as ``@register``, ``@register("name")`` or ``@register(aliases=("a",))``.
    The function is stored unchanged; ``fn(x, **config)`` must accept its
    hyperparameters as keywords.  A name already taken raises ``ValueError``
    unless ``override=True``.

    Example:
      >>> import jax.numpy as jnp
      >>> import jax_activations as ja
      >>> @ja.register("cube_demo", override=True)
      ... def cube(x, scale=1.0):
      ...     return scale * x**3
      >>> ja.serialize(ja.get("cube_demo", scale=2.0))
      {'name': 'cube_demo', 'config': {'scale': 2.0}}
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(fn):
            raise TypeError(f"register: expected a callable, got {type(fn).__name__}")
        nm = name if isinstance(name, str) else getattr(fn, "__name__", None)
        if not nm or nm == "<lambda>":
            raise ValueError("register: a lambda needs an explicit name: register('my_name')(fn)")
        params = {
            p.name: p.default
            for p in list(inspect.signature(fn).parameters.values())[1:]
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        }
        _add(Spec(name=nm, fn=fn, aliases=tuple(aliases), params=params, formula=formula, kind="custom"), override)
        return fn

    if callable(name) and not isinstance(name, str):
        return deco(name)
    return deco


def _is_builtin_fn(obj: Any) -> bool:
    n = _BY_FN.get(id(obj))
    return n is not None and _SPECS[n].fn is obj


_KERAS_MODULES = ("keras", "tensorflow", "tf_keras")


def get(identifier: Any = None, **config: Any) -> Callable[..., jax.Array]:
    """Resolve an activation identifier, as Keras' ``activations.get`` does.

    * ``None`` -> ``linear``;
    * a registered name or alias -> the function (``get("swish") is get("silu")``);
    * a name with keyword ``config`` -> a :class:`Configured` activation;
    * ``{"name": ..., "config": {...}}`` (ours) or Keras' serialized dict
      (``{"class_name": "function", "config": "relu", ...}``) -> as above;
    * a callable (a JAX function, a :class:`Configured`, a Flax module) -> unchanged.

    Raises:
      ValueError: unknown name (the message lists the closest registered names),
        unknown config key, or a hyperparameter outside its domain.
      TypeError: any other kind of identifier.

    Example:
      >>> import jax_activations as ja
      >>> ja.get("leaky_relu", negative_slope=0.1)
      leaky_relu(negative_slope=0.1)
      >>> ja.get("swish") is ja.silu
      True
    """
    if identifier is None:
        if config:
            raise ValueError("get: config given without a name")
        return _SPECS["linear"].fn
    if isinstance(identifier, str):
        s = spec(identifier)
        return Configured(s.name, config) if config else s.fn
    if isinstance(identifier, Mapping):
        if config:
            raise ValueError("get: pass the config inside the dict, not as keywords")
        return deserialize(identifier)
    if isinstance(identifier, Configured):
        if config:
            return Configured(identifier.name, {**identifier.config, **config})
        return identifier
    if callable(identifier) and not isinstance(identifier, type):
        if config:
            if _is_builtin_fn(identifier) or _BY_FN.get(id(identifier)):
                return Configured(_BY_FN[id(identifier)], config)
            return functools.partial(identifier, **config)
        return identifier
    raise TypeError(
        f"identifier: expected None, a name, a config dict or a callable, got {type(identifier).__name__} ({identifier!r})"
    )


def serialize(activation: Any) -> str | dict[str, Any]:
    """The JSON-serializable form of an activation.

    A built-in function gives its canonical name (``serialize(swish) == "silu"``);
    a configured activation or a registered user function gives
    ``{"name": ..., "config": {...}}``.  ``deserialize(serialize(f)) == f``.

    Raises:
      ValueError: ``activation`` is a callable that is not registered (register
        it with ``jax_activations.register`` first).
    """
    if isinstance(activation, str):
        return spec(activation).name if spec(activation).builtin else {"name": spec(activation).name, "config": {}}
    if isinstance(activation, Configured):
        return activation.get_config()
    if hasattr(activation, "get_config") and callable(activation.get_config):
        cfg = activation.get_config()
        if isinstance(cfg, Mapping) and "name" in cfg:
            return dict(cfg)
    name = _BY_FN.get(id(activation))
    if name is not None and _SPECS[name].fn is activation:
        s = _SPECS[name]
        return s.name if s.builtin else {"name": s.name, "config": {}}
    if callable(activation):
        label = getattr(activation, "__name__", type(activation).__name__)
        raise ValueError(
            f"serialize: {label!r} is not a registered activation; register it first with "
            "@jax_activations.register('its_name') so it can be serialized by name"
        )
    raise TypeError(f"activation: expected a registered activation, got {type(activation).__name__}")


def deserialize(config: Any) -> Callable[..., jax.Array]:
    """Inverse of :func:`serialize`: a name, our dict, or Keras' dict -> activation.

    Only names registered in this library are looked up: a module path, an
    expression or a dict naming another module raises ``ValueError`` and no code
    is imported or run.
    """
    if config is None or isinstance(config, str):
        return get(config)
    if not isinstance(config, Mapping):
        raise TypeError(f"config: expected a name or a dict, got {type(config).__name__}")
    keys = set(config)
    if "name" in keys and keys <= {"name", "config"}:
        name = config["name"]
        cfg = config.get("config") or {}
        if not isinstance(name, str):
            raise TypeError(f"config['name']: expected a string, got {type(name).__name__}")
        if not isinstance(cfg, Mapping):
            raise TypeError(f"config['config']: expected a dict, got {type(cfg).__name__}")
        s = spec(name)
        if not cfg and s.builtin:
            return s.fn
        if not cfg and s.kind == "custom":
            return s.fn
        return Configured(name, cfg)
    if "class_name" in keys and keys <= {"class_name", "config", "module", "registered_name"}:
        module = config.get("module")
        if module is not None and (not isinstance(module, str) or module.split(".")[0] not in _KERAS_MODULES):
            raise ValueError(f"config['module']={module!r}: only Keras' own activations are understood")
        inner = config.get("config")
        if config.get("class_name") == "function" and isinstance(inner, str):
            return get(inner)
        raise ValueError(
            f"config: Keras object {config.get('class_name')!r} is not an activation function this library knows"
        )
    raise ValueError(
        f"config: expected {{'name': ..., 'config': {{...}}}} or a Keras function dict, got keys {sorted(keys)}"
    )
