"""Float64 references for the rectifiers family, written from each piecewise definition.

Each row's ``df`` states the gradient convention at the kinks (the branch that
owns the kink point), and ``kinks=`` lists those points with the expected
derivative.
"""

from __future__ import annotations

import numpy as np

from jax_activations.reference import row

__all__: list[str] = []

INF = np.inf


def _zero(x):
    return np.zeros_like(np.asarray(x, dtype=np.float64))


def _one(x):
    return np.ones_like(np.asarray(x, dtype=np.float64))


# relu (Keras 3): x > t keeps x (clipped to [0, m] when m is given); x <= t gives a (x - t).
def _relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    a, t = negative_slope, threshold
    upper = x if max_value is None else np.clip(x, 0.0, max_value)
    lower = a * (x - t) if a != 0 else _zero(x)  # a = 0: exactly 0, also at x = -inf
    return np.where(x > t, upper, lower)


def _drelu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    a, t = negative_slope, threshold
    below = x <= t
    if max_value is None and t == 0 and a != 0:  # Keras' slope-only case is leaky relu: 1 at 0
        below = x < t
    dupper = _one(x) if max_value is None else np.where((x <= 0) | (x >= max_value), 0.0, 1.0)
    return np.where(below, a, dupper)


row(
    "relu",
    _relu,
    df=_drelu,
    d2f=lambda x, **p: _zero(x),
    params=(
        {},
        {"negative_slope": 0.5},
        {"max_value": 6.0},
        {"threshold": 1.5},
        {"negative_slope": 0.5, "max_value": 5.0, "threshold": 5.0},
        {"negative_slope": 0.25, "max_value": 4.0},
        {"negative_slope": 0.125, "threshold": -2.0},
        {"max_value": 3.0, "threshold": -2.0},
        {"negative_slope": 0.3, "max_value": 0.0},
    ),
    kinks=(
        (0.0, {}, 0.0),
        (0.0, {"negative_slope": 0.5}, 1.0),
        (0.0, {"negative_slope": 0.25, "max_value": 4.0}, 0.25),
        (4.0, {"negative_slope": 0.25, "max_value": 4.0}, 0.0),
        (6.0, {"max_value": 6.0}, 0.0),
        (0.0, {"max_value": 6.0}, 0.0),
        (1.5, {"threshold": 1.5}, 0.0),
        (5.0, {"negative_slope": 0.5, "max_value": 5.0, "threshold": 5.0}, 0.5),
        (-2.0, {"negative_slope": 0.125, "threshold": -2.0}, 0.125),
        (0.0, {"max_value": 3.0, "threshold": -2.0}, 0.0),
    ),
    smooth=False,
    avoid=(0.0, 1.5, 5.0, 6.0, 4.0, -2.0, 3.0),
    limits=(
        (-INF, {}, 0.0, 0.0),
        (INF, {}, INF, 1.0),
        (-INF, {"negative_slope": 0.5}, -INF, 0.5),
        (INF, {"max_value": 6.0}, 6.0, 0.0),
        (-INF, {"threshold": 1.5}, 0.0, 0.0),
        (-INF, {"negative_slope": 0.5, "max_value": 5.0, "threshold": 5.0}, -INF, 0.5),
    ),
)


def _leaky(x, negative_slope=0.2):
    return np.where(x >= 0, x, negative_slope * x if negative_slope != 0 else _zero(x))


row(
    "leaky_relu",
    _leaky,
    df=lambda x, negative_slope=0.2: np.where(x >= 0, 1.0, negative_slope),
    d2f=lambda x, **p: _zero(x),
    params=({}, {"negative_slope": 0.1}, {"negative_slope": 0.01}, {"negative_slope": 1.5}, {"negative_slope": 0.0}),
    kinks=((0.0, {}, 1.0), (0.0, {"negative_slope": 0.01}, 1.0)),
    smooth=False,
    avoid=(0.0,),
    limits=((-INF, {}, -INF, 0.2), (INF, {}, INF, 1.0), (-INF, {"negative_slope": 0.0}, 0.0, 0.0)),
)

row(
    "relu6",
    lambda x: np.where(x <= 0, 0.0, np.where(x >= 6, 6.0, x)),
    df=lambda x: np.where((x <= 0) | (x >= 6), 0.0, 1.0),
    d2f=lambda x: _zero(x),
    kinks=((0.0, {}, 0.0), (6.0, {}, 0.0)),
    smooth=False,
    avoid=(0.0, 6.0),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, 6.0, 0.0)),
)

row(
    "hard_sigmoid",
    lambda x: np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (x + 3.0) / 6.0)),
    df=lambda x: np.where((x <= -3) | (x >= 3), 0.0, 1.0 / 6.0),
    d2f=lambda x: _zero(x),
    kinks=((-3.0, {}, 0.0), (3.0, {}, 0.0)),
    smooth=False,
    avoid=(-3.0, 3.0),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, 1.0, 0.0)),
)

row(
    "hard_silu",
    lambda x: np.where(x <= -3, 0.0, np.where(x >= 3, x, x * (x + 3.0) / 6.0)),
    df=lambda x: np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (2.0 * x + 3.0) / 6.0)),
    d2f=lambda x: np.where((x <= -3) | (x >= 3), 0.0, 1.0 / 3.0),
    kinks=((-3.0, {}, 0.0), (3.0, {}, 1.0)),
    smooth=False,
    avoid=(-3.0, 3.0),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0)),
)

row(
    "sparse_sigmoid",
    lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, 0.5 * (x + 1.0))),
    df=lambda x: np.where((x <= -1) | (x >= 1), 0.0, 0.5),
    d2f=lambda x: _zero(x),
    kinks=((-1.0, {}, 0.0), (1.0, {}, 0.0)),
    smooth=False,
    avoid=(-1.0, 1.0),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, 1.0, 0.0)),
)

row(
    "hard_tanh",
    lambda x, min_val=-1.0, max_val=1.0: np.where(x > max_val, max_val, np.where(x < min_val, min_val, x)),
    df=lambda x, min_val=-1.0, max_val=1.0: np.where((x < min_val) | (x > max_val), 0.0, 1.0),
    d2f=lambda x, **p: _zero(x),
    params=({}, {"min_val": -0.5, "max_val": 2.0}, {"min_val": 0.0, "max_val": 6.0}, {"min_val": 1.0, "max_val": 1.0}),
    kinks=(
        (-1.0, {}, 1.0),
        (1.0, {}, 1.0),
        (-0.5, {"min_val": -0.5, "max_val": 2.0}, 1.0),
        (2.0, {"min_val": -0.5, "max_val": 2.0}, 1.0),
    ),
    smooth=False,
    avoid=(-1.0, 1.0, -0.5, 2.0, 0.0, 6.0),
    limits=((-INF, {}, -1.0, 0.0), (INF, {}, 1.0, 0.0)),
)

row(
    "linear",
    lambda x: np.asarray(x, dtype=np.float64),
    df=_one,
    d2f=_zero,
    limits=((-INF, {}, -INF, 1.0), (INF, {}, INF, 1.0)),
)

row(
    "squared_relu",
    lambda x: np.where(x <= 0, 0.0, np.square(np.maximum(x, 0.0))),
    df=lambda x: np.where(x <= 0, 0.0, 2.0 * x),
    d2f=lambda x: np.where(x <= 0, 0.0, 2.0),
    kinks=((0.0, {}, 0.0),),
    smooth=False,
    avoid=(0.0,),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, INF)),
)

row(
    "thresholded_relu",
    lambda x, theta=1.0: np.where(x > theta, x, 0.0),
    df=lambda x, theta=1.0: np.where(x > theta, 1.0, 0.0),
    d2f=lambda x, **p: _zero(x),
    params=({}, {"theta": 0.5}, {"theta": 0.0}, {"theta": 3.0}),
    kinks=((1.0, {}, 0.0), (0.5, {"theta": 0.5}, 0.0), (0.0, {"theta": 0.0}, 0.0)),
    smooth=False,
    avoid=(1.0, 0.5, 0.0, 3.0),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0)),
)

row(
    "threshold",
    lambda x, threshold=0.0, default_value=0.0: np.where(x > threshold, x, default_value),
    df=lambda x, threshold=0.0, default_value=0.0: np.where(x > threshold, 1.0, 0.0),
    d2f=lambda x, **p: _zero(x),
    params=({}, {"threshold": 0.5, "default_value": -1.0}, {"threshold": -2.0, "default_value": 7.0}),
    kinks=((0.0, {}, 0.0), (0.5, {"threshold": 0.5, "default_value": -1.0}, 0.0)),
    smooth=False,
    avoid=(0.0, 0.5, -2.0),
    limits=((-INF, {}, 0.0, 0.0), (INF, {}, INF, 1.0), (-INF, {"threshold": 0.5, "default_value": -1.0}, -1.0, 0.0)),
)

row(
    "hard_shrink",
    lambda x, threshold=0.5: np.where(np.abs(x) > threshold, x, 0.0),
    df=lambda x, threshold=0.5: np.where(np.abs(x) > threshold, 1.0, 0.0),
    d2f=lambda x, **p: _zero(x),
    params=({}, {"threshold": 0.25}, {"threshold": 0.0}, {"threshold": 2.0}),
    kinks=((0.5, {}, 0.0), (-0.5, {}, 0.0), (0.25, {"threshold": 0.25}, 0.0)),
    smooth=False,
    avoid=(0.5, -0.5, 0.25, -0.25, 0.0, 2.0, -2.0),
    limits=((-INF, {}, -INF, 1.0), (INF, {}, INF, 1.0)),
)

row(
    "soft_shrink",
    lambda x, threshold=0.5: np.where(x > threshold, x - threshold, np.where(x < -threshold, x + threshold, 0.0)),
    df=lambda x, threshold=0.5: np.where(np.abs(x) > threshold, 1.0, 0.0),
    d2f=lambda x, **p: _zero(x),
    params=({}, {"threshold": 0.25}, {"threshold": 0.0}, {"threshold": 2.0}),
    kinks=((0.5, {}, 0.0), (-0.5, {}, 0.0), (0.25, {"threshold": 0.25}, 0.0)),
    smooth=False,
    avoid=(0.5, -0.5, 0.25, -0.25, 0.0, 2.0, -2.0),
    limits=((-INF, {}, -INF, 1.0), (INF, {}, INF, 1.0)),
)


def _rrelu_mean(x, lower=1.0 / 8.0, upper=1.0 / 3.0, **_):
    a = (lower + upper) / 2.0
    return np.where(x >= 0, x, a * x)


# kind="random": the float64 reference is the deterministic (mean-slope) formula.
row(
    "rrelu",
    _rrelu_mean,
    df=lambda x, lower=1.0 / 8.0, upper=1.0 / 3.0, **_: np.where(x >= 0, 1.0, (lower + upper) / 2.0),
    params=({}, {"lower": 0.25, "upper": 0.5}),
    kinks=((0.0, {}, 1.0),),
    smooth=False,
    avoid=(0.0,),
    limits=((-INF, {}, -INF, 11.0 / 48.0), (INF, {}, INF, 1.0)),
    kind="random",
)
