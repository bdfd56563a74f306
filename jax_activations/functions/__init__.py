"""Every built-in activation, grouped by family; importing this registers them all.

* ``_rectifiers``: relu and its piecewise-linear relatives, shrinkers, hard_* forms.
* ``_sigmoidal``: sigmoid, tanh, softplus, softsign, softplus and friends.
* ``_selfgated``: silu, gelu, mish (x times a gate of x).
* ``_exponential``: elu, selu, celu, exponential.
* ``_normalizers``: softmax, log_softmax, softmin, sparsemax, entmax15, glu.
* ``_learnable``: activations whose parameters are learned (prelu, snake, ...).
"""

from jax_activations.functions import _exponential, _learnable, _normalizers, _rectifiers, _selfgated, _sigmoidal
from jax_activations.functions._exponential import *  # noqa: F403
from jax_activations.functions._learnable import *  # noqa: F403
from jax_activations.functions._normalizers import *  # noqa: F403
from jax_activations.functions._rectifiers import *  # noqa: F403
from jax_activations.functions._selfgated import *  # noqa: F403
from jax_activations.functions._sigmoidal import *  # noqa: F403

__all__ = sorted(
    {
        *_exponential.__all__,
        *_learnable.__all__,
        *_normalizers.__all__,
        *_rectifiers.__all__,
        *_selfgated.__all__,
        *_sigmoidal.__all__,
    }
)
