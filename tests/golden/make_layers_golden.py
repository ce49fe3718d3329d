"""Record PyTorch's values and gradients for the layers of issue 13 (tests/test_nn_layers_golden.py).

Run by hand (needs torch==2.13.0) from the repository root:

    .venv/bin/python tests/golden/make_layers_golden.py

Writes tests/golden/layers_golden.npz, all float64:

* for every functional case in FUNCTIONAL: the inputs (drawn here from a seeded NumPy generator), the
  output, the upstream gradient used for backward and the gradient of every differentiable input;
* for every module case in MODULES: the torch module's state_dict before the run (``<case>/sd/<key>``),
  the inputs of each step, outputs, states and gradients, the state_dict after the run (running
  statistics), its keys in order and its repr.

FUNCTIONAL and MODULES are imported by the tests, so the tests need neither torch nor this script.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ARRAYS_FILE = HERE / "layers_golden.npz"

# name -> (F function, [(kind, shape) per positional input], indices of the inputs that require grad, kwargs)
# kinds: randn; round (randn rounded to halves: many ties); classes<C> (int64 in [0, C)); sign (±1 floats);
# logprob (rows of log-probabilities along dim 1); prob (probabilities with an exact 0).
FUNCTIONAL: dict[str, tuple] = {}


def _f(name: str, fn: str, args: list, grad: tuple = (0,), **kwargs: object) -> None:
    FUNCTIONAL[name] = (fn, args, grad, kwargs)


_f("conv2d", "conv2d", [("randn", (2, 3, 6, 5)), ("randn", (4, 3, 3, 3)), ("randn", (4,))], (0, 1, 2))
_f("conv2d_stride_pad", "conv2d", [("randn", (2, 3, 7, 6)), ("randn", (4, 3, 3, 2)), ("randn", (4,))], (0, 1, 2),
   stride=(2, 1), padding=(1, 2))
_f("conv2d_dilation", "conv2d", [("randn", (1, 2, 7, 7)), ("randn", (3, 2, 3, 3))], (0, 1), dilation=2, padding=1)
_f("conv2d_groups", "conv2d", [("randn", (2, 4, 5, 5)), ("randn", (6, 2, 3, 3)), ("randn", (6,))], (0, 1, 2), groups=2)
_f("conv2d_same", "conv2d", [("randn", (2, 2, 5, 6)), ("randn", (3, 2, 4, 3))], (0, 1), padding="same")
_f("conv2d_unbatched", "conv2d", [("randn", (2, 5, 5)), ("randn", (3, 2, 3, 3))], (0, 1), padding=1)
_f("conv1d", "conv1d", [("randn", (2, 3, 9)), ("randn", (4, 3, 3)), ("randn", (4,))], (0, 1, 2), stride=2, padding=1)
_f("conv1d_groups_dilation", "conv1d", [("randn", (2, 4, 9)), ("randn", (4, 2, 2))], (0, 1), groups=2, dilation=3)
_f("max_pool2d", "max_pool2d", [("randn", (2, 3, 6, 6))], kernel_size=2)
_f("max_pool2d_overlap", "max_pool2d", [("randn", (2, 2, 7, 6))], kernel_size=3, stride=1)
_f("max_pool2d_ties", "max_pool2d", [("round", (2, 2, 6, 6))], kernel_size=3, stride=2, padding=1)
_f("max_pool2d_ceil_dilation", "max_pool2d", [("randn", (1, 2, 8, 7))], kernel_size=2, stride=2, dilation=2,
   ceil_mode=True)
_f("avg_pool2d", "avg_pool2d", [("randn", (2, 3, 6, 6))], kernel_size=2)
_f("avg_pool2d_pad", "avg_pool2d", [("randn", (2, 2, 7, 6))], kernel_size=3, stride=2, padding=1)
_f("avg_pool2d_pad_exclude_ceil", "avg_pool2d", [("randn", (2, 2, 7, 6))], kernel_size=3, stride=2, padding=1,
   count_include_pad=False, ceil_mode=True)
_f("adaptive_avg_pool2d", "adaptive_avg_pool2d", [("randn", (2, 3, 7, 5))], output_size=(3, 2))
_f("batch_norm_train", "batch_norm", [("randn", (5, 3, 2, 2)), ("none", ()), ("none", ()), ("randn", (3,)),
                                      ("randn", (3,))], (0, 3, 4), training=True)
_f("layer_norm", "layer_norm", [("randn", (3, 4, 5)), ("randn", (4, 5)), ("randn", (4, 5))], (0, 1, 2),
   normalized_shape=(4, 5))
_f("group_norm", "group_norm", [("randn", (2, 6, 3)), ("randn", (6,)), ("randn", (6,))], (0, 1, 2), num_groups=3)
_f("embedding", "embedding", [("classes5", (3, 4)), ("randn", (5, 3))], (1,))
_f("embedding_padding", "embedding", [("classes5", (3, 4)), ("randn", (5, 3))], (1,), padding_idx=2)
for _name, _kw in [("gelu", {}), ("gelu_tanh", {"approximate": "tanh"}), ("silu", {}), ("softplus", {}),
                   ("softplus_beta", {"beta": 2.0, "threshold": 3.0}), ("elu", {"alpha": 0.7}), ("hardtanh", {}),
                   ("logsigmoid", {}), ("softsign", {}), ("mish", {})]:
    _f(_name, _name.split("_")[0], [("wide", (4, 6))], **_kw)
for _red in ("mean", "sum", "none"):
    _f(f"smooth_l1_{_red}", "smooth_l1_loss", [("randn", (4, 3)), ("randn", (4, 3))], (0, 1), reduction=_red,
       beta=0.7)
    _f(f"huber_{_red}", "huber_loss", [("randn", (4, 3)), ("randn", (4, 3))], (0, 1), reduction=_red, delta=0.6)
    _f(f"multi_margin_{_red}", "multi_margin_loss", [("randn", (5, 4)), ("classes4", (5,))], reduction=_red)
    _f(f"multi_margin_p2_{_red}", "multi_margin_loss", [("randn", (5, 4)), ("classes4", (5,))], reduction=_red, p=2,
       margin=0.5)
    _f(f"cosine_embedding_{_red}", "cosine_embedding_loss", [("randn", (5, 3)), ("randn", (5, 3)), ("sign", (5,))],
       (0, 1), reduction=_red, margin=0.2)
    _f(f"margin_ranking_{_red}", "margin_ranking_loss", [("randn", (6,)), ("randn", (6,)), ("sign", (6,))], (0, 1),
       reduction=_red, margin=0.1)
for _red in ("sum", "none", "batchmean"):
    _f(f"kl_div_{_red}", "kl_div", [("logprob", (4, 5)), ("prob", (4, 5))], (0, 1), reduction=_red)
    _f(f"kl_div_log_target_{_red}", "kl_div", [("logprob", (4, 5)), ("logprob", (4, 5))], (0, 1), reduction=_red,
       log_target=True)

# name -> (nn class, constructor args, constructor kwargs, input shape, number of train steps, then eval?)
MODULES: dict[str, tuple] = {
    "conv2d": ("Conv2d", (3, 4, 3), {"stride": 2, "padding": 1}, (2, 3, 7, 7), 1, False),
    "conv1d": ("Conv1d", (2, 3, 3), {"dilation": 2}, (2, 2, 9), 1, False),
    "batchnorm2d": ("BatchNorm2d", (3,), {}, (4, 3, 3, 2), 3, True),
    "batchnorm1d_cumulative": ("BatchNorm1d", (4,), {"momentum": None}, (6, 4), 3, True),
    "batchnorm1d_3d": ("BatchNorm1d", (2,), {"momentum": 0.3}, (3, 2, 5), 2, True),
    "layernorm": ("LayerNorm", ((3, 4),), {}, (2, 3, 4), 1, False),
    "groupnorm": ("GroupNorm", (2, 4), {}, (3, 4, 5), 1, False),
    "embedding": ("Embedding", (7, 3), {"padding_idx": 0}, (4, 5), 1, False),
    "rnn_relu_2layer": ("RNN", (3, 4), {"num_layers": 2, "nonlinearity": "relu"}, (5, 2, 3), 1, False),
    "lstm": ("LSTM", (3, 4), {}, (6, 2, 3), 1, False),
    "lstm_2layer_bidirectional": ("LSTM", (3, 4), {"num_layers": 2, "bidirectional": True}, (5, 2, 3), 1, False),
    "gru_batch_first_bidirectional": ("GRU", (3, 4), {"batch_first": True, "bidirectional": True}, (2, 5, 3), 1, False),
    "lstm_proj_bidirectional": ("LSTM", (3, 5), {"proj_size": 2, "bidirectional": True, "num_layers": 2}, (4, 2, 3),
                                1, False),
    "gru_2layer": ("GRU", (3, 5), {"num_layers": 2}, (4, 3, 3), 1, False),
    "lstm_cell": ("LSTMCell", (3, 4), {}, (2, 3), 1, False),
    "gru_cell": ("GRUCell", (3, 4), {}, (2, 3), 1, False),
    "rnn_cell": ("RNNCell", (3, 4), {"nonlinearity": "relu"}, (2, 3), 1, False),
}


def draw(kind: str, shape: tuple, rng: np.random.Generator) -> np.ndarray | None:
    """One input array of the given kind."""
    if kind == "none":
        return None
    if kind == "randn":
        return rng.standard_normal(shape)
    if kind == "wide":
        return rng.standard_normal(shape) * 4
    if kind == "round":
        return np.round(rng.standard_normal(shape) * 2) / 2
    if kind.startswith("classes"):
        return rng.integers(0, int(kind[7:]), shape).astype(np.int64)
    if kind == "sign":
        return np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    if kind == "logprob":
        return np.log(rng.dirichlet(np.ones(shape[1]), size=shape[0]))
    if kind == "prob":
        p = rng.dirichlet(np.ones(shape[1]), size=shape[0])
        p[0, 0] = 0.0
        return p
    raise ValueError(kind)


def module_input(name: str, shape: tuple, step: int) -> np.ndarray:
    """The input of one step of a module case."""
    rng = np.random.default_rng(1000 + step)
    if MODULES[name][0] == "Embedding":
        idx = rng.integers(0, MODULES[name][1][0], shape).astype(np.int64)
        idx[0, 0] = 0  # the padding index appears
        return idx
    return rng.standard_normal(shape) * (step + 1) + step


def _record_functional(torch: object, out: dict) -> None:
    F = torch.nn.functional
    for case, (name, (fn, args, grad, kwargs)) in enumerate(FUNCTIONAL.items()):
        rng = np.random.default_rng(case)
        arrays = [draw(kind, shape, rng) for kind, shape in args]
        tensors = [None if a is None else torch.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
        if fn == "batch_norm":
            y = F.batch_norm(*tensors, **kwargs)
        elif fn == "layer_norm":
            y = F.layer_norm(tensors[0], kwargs["normalized_shape"], tensors[1], tensors[2])
        elif fn == "group_norm":
            y = F.group_norm(tensors[0], kwargs["num_groups"], tensors[1], tensors[2])
        else:
            y = getattr(F, fn)(*tensors, **kwargs)
        upstream = rng.standard_normal(tuple(y.shape))
        y.backward(torch.tensor(upstream))
        for i, a in enumerate(arrays):
            if a is not None:
                out[f"f/{name}/in{i}"] = a
        out[f"f/{name}/out"] = y.detach().numpy()
        out[f"f/{name}/upstream"] = upstream
        for i in grad:
            out[f"f/{name}/grad{i}"] = tensors[i].grad.numpy()


def _record_modules(torch: object, out: dict) -> None:
    for name, (cls, args, kwargs, shape, steps, then_eval) in MODULES.items():
        torch.manual_seed(len(name))
        m = getattr(torch.nn, cls)(*args, **kwargs).double()
        if cls.startswith(("BatchNorm", "LayerNorm", "GroupNorm")):  # non-trivial affine parameters
            with torch.no_grad():
                for p in m.parameters():
                    p.copy_(torch.randn(p.shape, dtype=torch.float64))
        out[f"m/{name}/keys"] = np.array(list(m.state_dict()))
        out[f"m/{name}/repr"] = np.array(repr(m))
        for k, v in m.state_dict().items():
            out[f"m/{name}/sd/{k}"] = v.numpy().copy()
        for step in range(steps + (1 if then_eval else 0)):
            if step == steps:
                m.eval()
            x = module_input(name, shape, step)
            xt = torch.tensor(x, requires_grad=x.dtype.kind == "f")
            result = m(xt)
            outs = _flatten(result)
            rng = np.random.default_rng(2000 + step)
            loss = 0
            for j, o in enumerate(outs):
                out[f"m/{name}/step{step}/out{j}"] = o.detach().numpy()
                up = rng.standard_normal(tuple(o.shape))
                out[f"m/{name}/step{step}/upstream{j}"] = up
                loss = loss + (o * torch.tensor(up)).sum()
            m.zero_grad()
            loss.backward()
            if xt.requires_grad:
                out[f"m/{name}/step{step}/grad_input"] = xt.grad.numpy()
            for k, p in m.named_parameters():
                out[f"m/{name}/step{step}/grad/{k}"] = p.grad.numpy()
        for k, v in m.state_dict().items():
            out[f"m/{name}/final/{k}"] = v.numpy().copy()


def _flatten(result: object) -> list:
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flatten(r)]
    return [result]


def main() -> None:
    import torch

    assert torch.__version__.startswith("2.13"), torch.__version__
    torch.set_default_dtype(torch.float64)
    out: dict = {}
    _record_functional(torch, out)
    _record_modules(torch, out)
    np.savez_compressed(ARRAYS_FILE, **out)
    print(f"wrote {len(out)} arrays to {ARRAYS_FILE}")


if __name__ == "__main__":
    main()
