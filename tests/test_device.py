"""Devices: the CPU only, with PyTorch's names, and a clear error for any other device."""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn


def test_the_device_idiom_picks_the_cpu_and_everything_accepts_it():
    device = "cuda" if tb.cuda.is_available() else "cpu"
    assert device == "cpu" and tb.cuda.device_count() == 0 and not tb.backends.mps.is_available()
    model = nn.Linear(3, 2).to(device)
    x = tb.randn(4, 3, device=device).to(device)
    assert model(x).device == tb.device("cpu") and x.cpu() is x
    for make in (tb.zeros(2, device="cpu"), tb.ones(2, device=tb.device("cpu")), tb.tensor([1.0], device="cpu"),
                 tb.arange(3, device="cpu"), tb.full((2,), 1.0, device="cpu"), tb.zeros_like(x, device="cpu"),
                 tb.rand(2, device="cpu"), tb.randint(3, (2,), device="cpu"), tb.eye(2, device="cpu")):
        assert make.device.type == "cpu"


def test_device_objects_print_and_compare_like_pytorch():
    assert repr(tb.device("cpu")) == "device(type='cpu')" and str(tb.device("cpu")) == "cpu"
    assert repr(tb.device("cuda:1")) == "device(type='cuda', index=1)" and tb.device("cuda", 1) == "cuda:1"
    assert tb.device("cpu") == "cpu" and tb.device("cpu") != "cuda" and tb.get_default_device() == "cpu"
    assert len({tb.device("cpu"), tb.device("cpu")}) == 1
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        tb.device("gpu")


def test_to_takes_dtype_device_tensor_and_keywords():
    x = tb.ones(2, requires_grad=True)
    assert x.to("cpu") is x and x.to(tb.device("cpu")) is x
    assert x.to("cpu", tb.float64).dtype == tb.float64 and x.to(dtype=tb.float64, device="cpu").dtype == tb.float64
    assert x.to(tb.zeros(1, dtype=tb.float64)).dtype == tb.float64
    assert x.to(np.float64).dtype == tb.float64
    c = x.to("cpu", copy=True)
    assert c is not x and c.requires_grad and c.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("call", [lambda: tb.ones(2, device="cuda"), lambda: tb.tensor([1.0], device="mps"),
                                  lambda: tb.ones(2).to("cuda"), lambda: tb.ones(2).cuda(),
                                  lambda: nn.Linear(2, 3, device="cuda"), lambda: nn.Linear(2, 3).to("cuda:0"),
                                  lambda: tb.set_default_device("cuda")])
def test_another_device_is_a_runtime_error_that_names_it_and_changes_nothing(call):
    with pytest.raises(RuntimeError, match=r"device '(cuda|mps)(:0)?' is not available: tinygrad_bp computes on "
                                           r"the CPU with NumPy"):
        call()
    assert tb.get_default_device() == "cpu"


def test_what_tutorials_set_on_cuda_and_cudnn_is_accepted():
    tb.cuda.manual_seed(0)
    tb.cuda.manual_seed_all(0)
    tb.backends.cudnn.deterministic = True
    tb.backends.cudnn.benchmark = False
    assert not tb.backends.cudnn.is_available()
