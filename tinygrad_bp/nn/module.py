"""Module: the base class of layers and networks, with PyTorch's registration rules.

Assigning a `Parameter` to an attribute registers it as a parameter, assigning a `Module` registers a
child, and `register_buffer` registers a non-learnable tensor (saved in the state dict). Traversals
visit a module's own parameters (then buffers) before its children's, each in assignment order, so
``named_parameters()`` and ``state_dict()`` list keys exactly as PyTorch does (``fc1.weight``,
``0.bias``). Traversals are iterative (no recursion).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.hooks import RemovableHandle
from ..device import is_device, resolve
from ..tensor import Tensor
from ..tensor_inplace import zero_grads
from .parameter import Parameter


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` returns: the keys that were missing and unexpected."""

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


def _record_call(module: Module, node: Any, args: tuple) -> None:
    """Note on the output's node that ``module`` produced it from ``args`` (the node, or the leaf, of each
    Tensor argument): tb.viz draws a cluster per call. A plain loop, since this runs on every call."""
    inputs = []
    for a in args:
        if isinstance(a, Tensor):
            inputs.append(a if a.grad_fn is None else a.grad_fn)
    calls = node.module_calls
    if calls is None:
        node.module_calls = [(module, inputs)]
    else:
        calls.append((module, inputs))


class Module:
    """Base class for all layers and networks: subclasses set attributes in ``__init__`` and define
    ``forward``; calling the module runs ``forward`` and then the forward hooks."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", {})
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it (call the module, not forward, so hooks run)."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks:
            args, kwargs = self._run_forward_pre_hooks(args, kwargs)
        out = self.forward(*args, **kwargs)
        if isinstance(out, Tensor) and out.grad_fn is not None:  # for tb.viz's module clusters (per call, not per op)
            _record_call(self, out.grad_fn, args)
        if self._forward_hooks:
            with_kwargs = self._forward_hooks_with_kwargs
            for hook_id, hook in list(self._forward_hooks.items()):
                result = hook(self, args, kwargs, out) if hook_id in with_kwargs else hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def _run_forward_pre_hooks(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """PyTorch's rules: a hook's non-None result replaces the inputs (a non-tuple becomes a 1-tuple);
        a ``with_kwargs`` hook must return None or ``(args, kwargs)``."""
        with_kwargs = self._forward_pre_hooks_with_kwargs
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward (``hook(module, args, kwargs)`` with
        ``with_kwargs``); a non-None return value replaces the inputs (see ``_run_forward_pre_hooks``).
        Hooks run in registration order; ``prepend=True`` puts this one first."""
        return _add_hook(self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward (``hook(module, args, kwargs, output)``
        with ``with_kwargs``); ``inputs`` is the tuple of the positional arguments (the very objects passed);
        a non-None return value replaces the output. ``prepend=True`` runs this hook first."""
        return _add_hook(self._forward_hooks, self._forward_hooks_with_kwargs, hook, prepend, with_kwargs)

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``"encoder.layers.0"``; ``""`` is the module itself).
        ``AttributeError`` names the first part that is missing or not a Module."""
        if target == "":
            return self
        mod: Module = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"fc1.weight"``); ``AttributeError`` otherwise."""
        module_path, _, param_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, param_name):
            raise AttributeError(mod._get_name() + " has no attribute `" + param_name + "`")
        param = getattr(mod, param_name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + param_name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (``"bn.running_mean"``); ``AttributeError`` otherwise."""
        module_path, _, buffer_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, buffer_name):
            raise AttributeError(mod._get_name() + " has no attribute `" + buffer_name + "`")
        buffer = getattr(mod, buffer_name)
        if buffer_name not in mod._buffers:
            raise AttributeError("`" + buffer_name + "` is not a buffer")
        return buffer

    # ----- registration -------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(self, name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            _remove_from(self, name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a Parameter, or None for an absent one such as ``bias=False``)."""
        _check_name(self, name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a non-learnable tensor (e.g. running statistics); persistent ones go in state_dict."""
        _check_name(self, name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under ``name`` (None keeps the slot empty)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(self, name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    # ----- traversal ----------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """(name, module) for this module and all below it, pre-order, each module once."""
        seen = memo if memo is not None else set()
        stack: list = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [(name + ("." if name else "") + key, child)
                        for key, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, pre-order, each once."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct children, in assignment order."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct child modules, in assignment order."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs: ``weight``, ``fc1.bias``, ``0.weight``; shared ones once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (own first, then the children's), each once: what an optimizer takes."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(name, buffer) pairs, persistent or not, in the same order as named_parameters."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (registered with register_buffer)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _state_items(self, keep_vars: bool) -> Iterator[tuple[str, Tensor]]:
        """State-dict entries: per module (pre-order, shared modules under every name), its
        parameters then its persistent buffers."""
        for prefix, module in self.named_modules(remove_duplicate=False):
            dot = prefix + "." if prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    yield dot + name, (p if keep_vars else p.detach())
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers:
                    yield dot + name, (b if keep_vars else b.detach())

    # ----- modes and bulk operations -------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every submodule (Dropout scales in training only)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set requires_grad on every parameter (False freezes them)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default), or to zeros in place."""
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first, as in PyTorch) and then on ``self``."""
        stack: list = [(self, False)]
        while stack:
            module, expanded = stack.pop()
            if expanded:
                fn(module)
                continue
            stack.append((module, True))
            stack.extend((c, False) for c in reversed(list(module.children())))
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)`` casts floating-point parameters and buffers in place (the same Parameter
        objects, so optimizers keep working); ``to('cpu')`` is accepted and does nothing."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if a is None or is_device(a):
                device = a
            else:
                dtype = a
        resolve(device, "nn.Module.to")
        if dtype is not None:
            dtype = np.dtype(dtype)
            if dtype.kind != "f":
                raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
            self._cast_floats(dtype)
        return self

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32."""
        return self._cast_floats(np.dtype(np.float32))

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64."""
        return self._cast_floats(np.dtype(np.float64))

    def cpu(self) -> Module:
        """The module itself (everything already lives in NumPy arrays on the CPU)."""
        return self

    def _cast_floats(self, dtype: np.dtype) -> Module:
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for t in store.values():
                    if t is not None and t._array.dtype.kind == "f" and t._array.dtype != dtype:
                        t._array = t._array.astype(dtype)
                        if t.grad is not None:
                            t.grad = Tensor._make(t.grad._array.astype(dtype))
        return self

    # ----- state dict -----------------------------------------------------------------------------
    def state_dict(self, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict:
        """An ordered dict name -> tensor of every parameter and persistent buffer (detached,
        sharing memory with the module unless ``keep_vars``)."""
        out = OrderedDict() if destination is None else destination
        for name, value in self._state_items(keep_vars):
            out[prefix + name] = value
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers.

        Every key, type and shape is checked before anything changes: a mismatch raises
        RuntimeError naming the keys and leaves the module exactly as it was (stricter than PyTorch,
        which may load some keys first). With ``strict=False`` missing and unexpected keys are
        allowed and returned as ``(missing_keys, unexpected_keys)``; shape mismatches still raise.
        Values are copied into the existing tensors (cast to their dtype) unless ``assign=True``.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = OrderedDict(self._state_items(keep_vars=True))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        updates = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value._array if isinstance(value, Tensor) else value
            if not isinstance(array, np.ndarray):
                errors.append(f'While copying the parameter named "{key}", expected a Tensor or NumPy array '
                              f"from checkpoint but received {type(value).__name__}")
            elif array.shape != target._array.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {_shape(array.shape)} "
                              f"from checkpoint, the shape in current model is {_shape(target._array.shape)}.")
            elif array.dtype.kind not in "biuf":
                errors.append(f'While copying the parameter named "{key}", the checkpoint has dtype '
                              f"{array.dtype}, which cannot be copied into {target._array.dtype}.")
            else:
                updates.append((target, array))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected)
                              + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for target, array in updates:
                if assign:  # take the checkpoint's array itself (its dtype, shared memory), as PyTorch's assign
                    target._array = array
                else:
                    target.copy_(Tensor._make(array))
        return _IncompatibleKeys(missing, unexpected)

    # ----- repr -----------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (subclasses override)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        if not lines:
            return self._get_name() + "()"
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))


class _HookHandle(RemovableHandle):
    """A hook's handle that also forgets the hook's ``with_kwargs`` mark when removed."""

    def __init__(self, hooks: dict, extra: dict) -> None:
        super().__init__(hooks)
        self.extra = extra

    def remove(self) -> None:
        super().remove()
        self.extra.pop(self.id, None)


def _add_hook(hooks: OrderedDict, with_kwargs_ids: dict, hook: Callable, prepend: bool,
              with_kwargs: bool) -> RemovableHandle:
    handle = _HookHandle(hooks, with_kwargs_ids)
    hooks[handle.id] = hook
    if with_kwargs:
        with_kwargs_ids[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _indent(text: str, spaces: int) -> str:
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def _shape(shape: tuple) -> str:
    return f"({', '.join(str(n) for n in shape)}{',' if len(shape) == 1 else ''})"


def _remove_from(module: Module, name: str) -> None:
    """Before registering ``name`` in one store, drop it from the others and from __dict__."""
    for store in (module._parameters, module._buffers, module._modules):
        store.pop(name, None)
    module._non_persistent_buffers.discard(name)
    module.__dict__.pop(name, None)


def _check_name(module: Module, name: str, kind: str, store: dict) -> None:
    if "_parameters" not in module.__dict__:
        raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if hasattr(module, name) and name not in store:
        raise KeyError(f"attribute '{name}' already exists")
