"""Optimizer: parameter groups, per-parameter state, zero_grad, state_dict / load_state_dict.

The layout is PyTorch's. ``param_groups`` is a list of dicts; each holds its ``params`` and every option
(lr, momentum, betas, ...), missing options filled from ``defaults``. ``state`` maps a parameter to a dict
of named buffers (``step``, ``exp_avg``, ...), created on the parameter's first update. A subclass only
writes ``_update_group(group)``: one update of the parameters of one group, on their NumPy arrays.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_bp.autograd import grad_mode, saved_values
from tinygrad_bp.autograd.grad_mode import enable_grad
from tinygrad_bp.dtypes import get_default_dtype
from tinygrad_bp.tensor import Tensor
from tinygrad_bp.tensor_inplace import zero_grads

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def _typename(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def check_options(**options: Any) -> None:
    """PyTorch's ValueError for the first invalid hyperparameter, checked in the order given: each must
    be ≥ 0 (NaN is invalid), and each of ``betas`` in [0, 1), e.g. ``Invalid beta parameter at index 0: 1.5``."""
    for name, value in options.items():
        if name == "betas":
            for i, beta in enumerate(value):
                if not 0.0 <= beta < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        elif not 0.0 <= value:
            raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {value}")


def _as_tensor(array: np.ndarray) -> Tensor:
    """Wrap a NumPy array (no copy) as a Tensor that does not require grad."""
    return Tensor._make(array)


# State buffers that are 0-d counters in PyTorch's scalar dtype, not arrays shaped like their parameter.
SCALAR_STATE = ("step", "mu_product")


def _new_step(value: float = 0.0) -> Tensor:
    """The ``step`` counter (or another scalar state such as NAdam's ``mu_product``, from ``value``): a 0-d
    float tensor, as in PyTorch (float64 when that is the default dtype, else float32)."""
    dtype = np.float64 if get_default_dtype() == np.float64 else np.float32
    return _as_tensor(np.full((), value, dtype=dtype))


def _increment_step(step: Tensor) -> float:
    """Add one to a ``step`` counter in place and return its new value as a Python float."""
    counter = step._array
    counter += 1
    return float(counter)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start ← start + weight·(end − start), in place, computed the way PyTorch's ``lerp_`` does."""
    if weight < 0.5:
        diff = np.subtract(end, start)
        diff *= weight
        start += diff
    else:
        diff = np.subtract(end, start)
        diff *= 1 - weight
        np.subtract(end, diff, out=start)


_bump_version = saved_values.bump  # record an in-place change of a tensor (a graph that saved it notices at backward)


class Optimizer:
    """Base class of all optimizers.

    ``Optimizer(params, defaults)``: ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of
    dicts (parameter groups, e.g. ``[{"params": w, "lr": 0.1}, {"params": [b]}]``); ``defaults`` gives the
    value of each option that a group does not set. ``step(closure=None)`` updates every parameter whose
    ``.grad`` is not None and returns the closure's loss.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {_typename(params)}"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Wrap each subclass's own step() so a scheduler can tell whether optimizer.step() ran first.
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            step = cls.__dict__["step"]

            def wrapped(self: Optimizer, *args: Any, **kw: Any) -> Any:
                self._opt_called = True
                return step(self, *args, **kw)

            wrapped.__doc__ = step.__doc__
            wrapped.__name__ = "step"
            wrapped.__qualname__ = step.__qualname__
            cls.step = wrapped

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    # ---- parameter groups -------------------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (a dict with ``params`` and any options; the rest come from defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_typename(param_group)}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        param_group = dict(param_group)
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are missing"
                )
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        param_group["params"] = params
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause "
                "an error",
                stacklevel=3,
            )
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for group in self.param_groups:
            if ("param_names" in group) != ("param_names" in param_group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {kind} to the optimizer"
                )
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)
        self._init_group_state(param_group)

    def _init_group_state(self, group: dict[str, Any]) -> None:
        """Create state eagerly when a group is added (only Adagrad does). Subclasses override."""

    # ---- the update ------------------------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: ``p.grad = None`` (default), or fill them with zeros in place."""
        for group in self.param_groups:
            zero_grads(group["params"], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` when given.

        The closure re-evaluates the model and returns the loss; it runs with graph recording on. The update
        itself records nothing: it changes the values of ``p`` in place.
        """
        self._opt_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state = grad_mode._state  # no_grad() without the context manager's cost (this runs every step)
        mode, state.enabled = state.enabled, False
        try:
            for group in self.param_groups:
                self._update_group(group)
        finally:
            state.enabled = mode
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement an update")

    def _params_with_grad(self, group: dict[str, Any]) -> list[tuple[Tensor, np.ndarray]]:
        """``(param, grad array)`` for each parameter of the group that has a gradient (the others are skipped)."""
        out = []
        for p in group["params"]:
            if p._grad is None:  # (parameters are leaves: .grad without the property's non-leaf warning check)
                continue
            grad = p._grad._array
            if grad.shape != p._array.shape:
                raise RuntimeError(
                    f"{type(self).__name__}.step(): gradient of shape {grad.shape} does not match the "
                    f"parameter's shape {p._array.shape}"
                )
            out.append((p, grad))
        return out

    # ---- saving and loading -----------------------------------------------------------------------------

    # A parameter's state, made on its first step: 0-d counters (name -> start value), then zero tensors
    # shaped like the parameter named by _buffers(group), in PyTorch's order.
    _counters: dict = {}

    def _buffers(self, group: dict[str, Any]) -> tuple:
        """The names of the zero-initialised state tensors under the options of ``group``."""
        return ()

    def _state_for(self, p: Tensor, group: dict[str, Any]) -> dict:
        """``self.state[p]``, created on first use (counters, then zero buffers), as PyTorch does."""
        state = self.state[p]
        if len(state) == 0:
            for name, start in self._counters.items():
                state[name] = _new_step(start)
            for name in self._buffers(group):
                state[name] = _as_tensor(np.zeros_like(p._array))
        return state

    def _expected_state_keys(self, group: dict[str, Any]) -> set[str]:
        """The names of a parameter's state buffers under the options of ``group``."""
        return set(self._counters) | set(self._buffers(group))

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout.

        ``{"state": {index: {"step": tensor, "exp_avg": tensor, ...}}, "param_groups": [{"lr": ..., ...,
        "params": [index, ...]}]}``, where a parameter's index is its position across all groups in order.
        Tensors are copies, so later steps do not change a saved state dict.
        """
        index: dict[int, int] = {}
        packed_groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            packed_groups.append(packed)
        packed_state = {}
        for p, st in self.state.items():
            if id(p) in index:
                packed_state[index[id(p)]] = {k: _copy_value(v) for k, v in st.items()}
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state dict made by ``state_dict()`` (possibly through ``tb.save`` / ``tb.load``).

        Everything is checked before anything changes: a state dict whose groups, parameter counts, options,
        buffer names or buffer shapes do not fit this optimizer raises ``ValueError`` and leaves it untouched.
        Buffers are copied and cast to their parameter's dtype; ``step`` (and NAdam's ``mu_product``) keep their own
        dtype.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("optimizer state dict must be a dict with 'state' and 'param_groups' entries")
        saved_groups = state_dict["param_groups"]
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, sg in zip(groups, saved_groups):
            if len(g["params"]) != len(sg["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
                )
        id_map: dict[Any, Tensor] = {}
        group_of: dict[Any, dict[str, Any]] = {}
        for g, sg in zip(groups, saved_groups):
            missing = [k for k in self.defaults if k not in sg]
            if missing:
                raise ValueError(f"loaded state dict's parameter group lacks the option(s) {missing}")
            for p, i in zip(g["params"], sg["params"]):
                id_map[i] = p
                group_of[i] = sg

        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for i, saved in state_dict["state"].items():
            if i not in id_map:
                raise ValueError(f"loaded state dict has state for parameter {i!r}, which is in no group")
            p = id_map[i]
            if len(saved) == 0:
                continue
            expected = self._expected_state_keys(group_of[i])
            if set(saved) != expected:
                raise ValueError(
                    f"loaded state for parameter {i} has buffers {sorted(saved)}, "
                    f"but {type(self).__name__} with these options expects {sorted(expected)}"
                )
            new_state[p] = {k: _load_value(k, v, p, i) for k, v in saved.items()}

        new_groups = []
        for g, sg in zip(groups, saved_groups):
            ng = {k: copy.deepcopy(v) for k, v in sg.items() if k != "params"}
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            ng["params"] = g["params"]
            new_groups.append(ng)
        self.state = new_state
        self.param_groups = new_groups


def _copy_value(v: Any) -> Any:
    if isinstance(v, Tensor):
        return _as_tensor(v._array.copy())
    return copy.deepcopy(v)


def _load_value(key: str, value: Any, param: Tensor, index: Any) -> Tensor:
    """A saved state buffer as a fresh tensor: cast to the parameter's dtype (``step`` and the other 0-d
    counters of SCALAR_STATE keep their dtype)."""
    if isinstance(value, Tensor):
        array = value._array
    elif isinstance(value, (np.ndarray, int, float, np.number)):
        array = np.asarray(value)
    else:
        raise ValueError(f"loaded state for parameter {index}: {key!r} is a {_typename(value)}, not a tensor")
    if key in SCALAR_STATE:
        if array.shape != ():
            raise ValueError(f"loaded state for parameter {index}: {key!r} has shape {array.shape}, expected ()")
        dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float32
        return _as_tensor(np.array(array, dtype=dtype))
    if array.shape != param._array.shape:
        raise ValueError(
            f"loaded state for parameter {index}: {key!r} has shape {array.shape}, "
            f"but the parameter has shape {param._array.shape}"
        )
    return _as_tensor(np.array(array, dtype=param._array.dtype))
