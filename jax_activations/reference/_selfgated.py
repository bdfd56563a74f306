"""Float64 references for the self-gated family."""

from __future__ import annotations

import numpy as np
from scipy import special

from jax_activations.reference import row

__all__: list[str] = []
