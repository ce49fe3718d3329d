"""The handle that ``Tensor.register_hook`` and ``Module.register_forward_hook`` return: ``handle.remove()``
unregisters the hook."""

from __future__ import annotations

import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes one hook from the dict it was registered in (also as a ``with`` block)."""

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
