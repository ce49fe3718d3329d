"""Containers: Sequential (a pipeline) and ModuleList (a list whose modules are registered)."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from .module import Module, _indent


def _index(idx: Any, n: int) -> int:
    i = operator.index(idx)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range")
    return i + n if i < 0 else i


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: modules kept in order, ``len``, iteration, ``append`` and
    deletion that renumbers the names 0, 1, 2, ... (as PyTorch does)."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __delitem__(self, idx: int | slice) -> None:
        items = list(self._modules.values())
        del items[idx if isinstance(idx, slice) else _index(idx, len(self))]
        self._renumber(items)

    def _renumber(self, items: list) -> None:
        self._modules.clear()
        for i, module in enumerate(items):
            self.add_module(str(i), module)

    def append(self, module: Module) -> Any:
        """Add a module at the end (named by its position)."""
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(nn.Linear(2, 3), nn.Sigmoid())`` names them
    ``0``, ``1``, ...; ``Sequential(OrderedDict(fc=...))`` keeps the given names. Supports indexing,
    slicing (a new Sequential of the same modules), ``len`` and iteration."""

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input: Any) -> Any:  # noqa: A002 - PyTorch's argument name
        """Each module applied to the previous one's output, in order."""
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self))]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self))]
        setattr(self, key, module)


class ModuleList(_ModuleSequence):
    """A list of modules, registered (so their parameters are found) and named ``0``, ``1``, ...
    It has no ``forward``: iterate over it in your own."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, str(_index(idx, len(self))), module)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each module of an iterable."""
        for module in modules:
            self.append(module)
        return self

    def __repr__(self) -> str:
        """As PyTorch prints it: runs of identical modules collapse to ``(0-2): 3 x Linear(...)``."""
        if not self._modules:
            return self._get_name() + "()"
        blocks: list = []  # [start, end, repr]
        for i, module in enumerate(self._modules.values()):
            text = repr(module)
            if blocks and blocks[-1][2] == text:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, text])
        lines = [_indent(f"({s}): {text}" if s == e else f"({s}-{e}): {e - s + 1} x {text}", 2)
                 for s, e, text in blocks]
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before ``index`` (the names are renumbered)."""
        items = list(self._modules.values())
        items.insert(index, module)
        self._renumber(items)
