"""Random number generation: a global generator (``tb.manual_seed``) and ``tb.Generator`` objects."""

from __future__ import annotations

import os
from typing import Any

import numpy as np


class Generator:
    """A random source, as ``torch.Generator``: ``tb.Generator().manual_seed(0)``.

    Wraps ``numpy.random.Generator`` (PCG64), so the numbers differ from PyTorch's.
    """

    def __init__(self) -> None:
        self._seed = _fresh_seed()
        self._rng: np.random.Generator | None = None  # made on first use: `import tinygrad_bp` skips numpy.random

    @property
    def rng(self) -> np.random.Generator:
        """The ``numpy.random.Generator`` behind this generator, seeded with ``initial_seed()``."""
        if self._rng is None:
            self._rng = np.random.default_rng(self._seed)
        return self._rng

    def manual_seed(self, seed: int) -> Generator:
        """Seed this generator; returns it, so ``Generator().manual_seed(0)`` chains."""
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        """The seed this generator (or the global one) was last seeded with."""
        return self._seed

    def get_state(self) -> dict:
        """The generator's state (a dict), for ``set_state``."""
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        """Restore a state from ``get_state``."""
        self.rng.bit_generator.state = state
        return self


def _fresh_seed() -> int:
    """A random seed in [0, 2⁶³) from the operating system's entropy (as PyTorch's ``seed()``)."""
    return int.from_bytes(os.urandom(8), "little") >> 1


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (used by rand/randn/randint, nn.init, Dropout, shuffling)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator from fresh entropy and return the seed."""
    s = _fresh_seed()
    default_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed this generator (or the global one) was last seeded with."""
    return default_generator.initial_seed()


def _rng(generator: Any = None) -> np.random.Generator:
    return (generator or default_generator).rng
