"""The layers of issue 13 against values and gradients recorded from PyTorch 2.13
(tests/golden/make_layers_golden.py): functional forms, and modules loaded from torch's state_dict
(BatchNorm running statistics over several train steps then eval, multi-layer bidirectional LSTM/GRU
outputs and states), state_dict keys in order and reprs."""

import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn

sys.path.insert(0, str(Path(__file__).parent / "golden"))
import make_layers_golden as golden  # noqa: E402

ARRAYS = np.load(golden.ARRAYS_FILE, allow_pickle=False)
RTOL, ATOL = 1e-9, 1e-11


@pytest.mark.parametrize("name", list(golden.FUNCTIONAL))
def test_functional_values_and_gradients_match_pytorch(name):
    fn, args, grad, kwargs = golden.FUNCTIONAL[name]
    k = f"f/{name}"
    tensors = [tb.tensor(ARRAYS[f"{k}/in{i}"], requires_grad=i in grad) if f"{k}/in{i}" in ARRAYS else None
               for i in range(len(args))]
    if fn == "batch_norm":
        out = F.batch_norm(*tensors, **kwargs)
    elif fn == "layer_norm":
        out = F.layer_norm(tensors[0], kwargs["normalized_shape"], tensors[1], tensors[2])
    elif fn == "group_norm":
        out = F.group_norm(tensors[0], kwargs["num_groups"], tensors[1], tensors[2])
    else:
        out = getattr(F, fn)(*tensors, **kwargs)
    assert out.dtype == tb.float64
    np.testing.assert_allclose(out.data, ARRAYS[f"{k}/out"], rtol=RTOL, atol=ATOL)
    out.backward(tb.tensor(ARRAYS[f"{k}/upstream"]))
    for i in grad:
        expected = ARRAYS[f"{k}/grad{i}"]
        if fn == "kl_div" and i == 1 and not kwargs.get("log_target"):
            # d/dy of y·log y at y = 0: PyTorch's xlogy gives nan there, ours the finite -x (documented)
            zero = tensors[1].data == 0
            assert np.isnan(expected[zero]).all()
            expected = np.where(zero, tensors[i].grad.data, expected)
        np.testing.assert_allclose(tensors[i].grad.data, expected, rtol=1e-8, atol=1e-10,
                                   err_msg=f"gradient of input {i}")


def _flatten(result):
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flatten(r)]
    return [result]


@pytest.mark.parametrize("name", list(golden.MODULES))
def test_modules_match_pytorch_over_train_steps_and_eval(name):
    cls, args, kwargs, shape, steps, then_eval = golden.MODULES[name]
    k = f"m/{name}"
    m = getattr(nn, cls)(*args, **kwargs).double()
    keys = [str(s) for s in ARRAYS[f"{k}/keys"]]
    assert list(m.state_dict()) == keys
    assert repr(m) == str(ARRAYS[f"{k}/repr"])
    m.load_state_dict({key: ARRAYS[f"{k}/sd/{key}"] for key in keys})
    for step in range(steps + (1 if then_eval else 0)):
        if step == steps:
            m.eval()
        x = golden.module_input(name, shape, step)
        xt = tb.tensor(x, requires_grad=x.dtype.kind == "f")
        outs = _flatten(m(xt))
        loss = 0
        for j, o in enumerate(outs):
            np.testing.assert_allclose(o.data, ARRAYS[f"{k}/step{step}/out{j}"], rtol=RTOL, atol=ATOL,
                                       err_msg=f"step {step} output {j}")
            loss = loss + (o * tb.tensor(ARRAYS[f"{k}/step{step}/upstream{j}"])).sum()
        m.zero_grad()
        loss.backward()
        if xt.requires_grad:
            np.testing.assert_allclose(xt.grad.data, ARRAYS[f"{k}/step{step}/grad_input"], rtol=1e-8, atol=1e-10)
        for pname, p in m.named_parameters():
            np.testing.assert_allclose(p.grad.data, ARRAYS[f"{k}/step{step}/grad/{pname}"], rtol=1e-8, atol=1e-10,
                                       err_msg=f"step {step} gradient of {pname}")
    for key, value in m.state_dict().items():  # running statistics, num_batches_tracked
        np.testing.assert_allclose(value.data, ARRAYS[f"{k}/final/{key}"], rtol=RTOL, atol=ATOL, err_msg=key)
        assert value.dtype == ARRAYS[f"{k}/final/{key}"].dtype
