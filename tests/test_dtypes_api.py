"""Dtype names, finfo / iinfo (PyTorch's values), dtype validation, the legacy constructors and Variable."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import dtypes


def test_pytorch_dtype_names():
    assert tb.half is tb.float16 and tb.float16 == np.float16
    assert tb.short is tb.int16 and tb.int16 == np.int16
    assert tb.int8 == np.int8 and tb.uint8 == np.uint8 and tb.bool == np.bool_
    assert tb.float is tb.float32 and tb.double is tb.float64 and tb.long is tb.int64 and tb.int is tb.int32


def test_float16_computes_as_numpy_does():
    a = np.array([0.1, 2.5, 100.0], dtype=np.float16)
    t = tb.tensor(a)
    assert t.dtype == tb.float16 and (t * t).dtype == tb.float16
    np.testing.assert_array_equal((t * t + 1).numpy(), a * a + np.float16(1))
    x = tb.tensor([1.0, 2.0], dtype=tb.half, requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.dtype == tb.float16 and x.grad.tolist() == [2.0, 4.0]


# PyTorch 2.x's values (torch.finfo / torch.iinfo)
FINFO = {
    "float32": (32, 1.1920928955078125e-07, 3.4028234663852886e+38, 1.1754943508222875e-38, 1e-06),
    "float64": (64, 2.220446049250313e-16, 1.7976931348623157e+308, 2.2250738585072014e-308, 1e-15),
    "float16": (16, 0.0009765625, 65504.0, 6.103515625e-05, 0.001),
}
IINFO = {"int64": (64, -2**63, 2**63 - 1), "int32": (32, -2**31, 2**31 - 1), "int16": (16, -32768, 32767),
         "int8": (8, -128, 127), "uint8": (8, 0, 255)}


@pytest.mark.parametrize("name", FINFO)
def test_finfo_has_pytorchs_values(name):
    bits, eps, big, tiny, resolution = FINFO[name]
    f = tb.finfo(getattr(tb, name))
    assert (f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.dtype) == \
        (bits, eps, big, -big, tiny, tiny, resolution, name)


def test_finfo_repr_and_default():
    assert repr(tb.finfo(tb.float32)) == ("finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, "
                                          "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)")
    assert repr(tb.finfo(tb.float16)) == ("finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, "
                                          "smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)")
    assert tb.finfo().dtype == "float32"


@pytest.mark.parametrize("name", IINFO)
def test_iinfo_has_pytorchs_values(name):
    bits, low, high = IINFO[name]
    i = tb.iinfo(getattr(tb, name))
    assert (i.bits, i.min, i.max, i.dtype) == (bits, low, high, name)
    assert repr(i) == f"iinfo(min={low}, max={high}, dtype={name})"


@pytest.mark.parametrize("call, message", [
    (lambda: tb.finfo(tb.int64), r"finfo\(\) requires a floating point input type"),
    (lambda: tb.finfo(tb.bool), r"finfo\(\) requires a floating point input type"),
    (lambda: tb.iinfo(tb.float32), r"iinfo\(\) requires an integer input type"),
    (lambda: tb.iinfo(tb.bool), "bool is not supported by tinygrad_bp.iinfo"),
    (lambda: tb.finfo("float32"), r"finfo\(\): argument 'type' \(position 1\) must be tinygrad_bp.dtype, not str"),
    (lambda: tb.iinfo(3), r"iinfo\(\): argument 'type' \(position 1\) must be tinygrad_bp.dtype, not int"),
    (lambda: tb.finfo(np.dtype(np.complex64)), "not complex64"),
])
def test_info_of_the_wrong_kind_is_a_type_error(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_resolve_accepts_dtypes_and_numpy_types():
    assert dtypes.resolve(None, "zeros") is None
    assert dtypes.resolve(tb.float16, "zeros") == np.float16
    assert dtypes.resolve(np.float32, "zeros") == tb.float32


@pytest.mark.parametrize("bad, message", [
    (np.complex64, r"tensor\(\): unsupported dtype complex64"),
    (np.dtype("U3"), r"tensor\(\): unsupported dtype"),
    ("float32", r"tensor\(\): argument 'dtype' must be tinygrad_bp.dtype, not str"),
    (float, r"tensor\(\): argument 'dtype' must be tinygrad_bp.dtype, not type"),
    (3, r"tensor\(\): argument 'dtype' must be tinygrad_bp.dtype, not int"),
])
def test_resolve_refuses_unsupported_dtypes(bad, message):
    with pytest.raises(TypeError, match=message):
        dtypes.resolve(bad, "tensor")


@pytest.mark.parametrize("cls, dtype", [(tb.FloatTensor, tb.float32), (tb.DoubleTensor, tb.float64),
                                        (tb.LongTensor, tb.int64), (tb.IntTensor, tb.int32),
                                        (tb.BoolTensor, tb.bool), (tb.HalfTensor, tb.float16),
                                        (tb.ByteTensor, tb.uint8)])
def test_legacy_constructors_from_data_and_sizes(cls, dtype):
    t = cls([1, 0, 1])
    assert isinstance(t, tb.Tensor) and type(t) is tb.Tensor and t.dtype == dtype and t.tolist() == [1, 0, 1]
    z = cls(2, 3)
    assert z.shape == (2, 3) and z.dtype == dtype and not z.numpy().any()
    assert cls(tb.Size([4])).shape == (4,) and cls().shape == (0,)
    assert cls((2, 0)).tolist() == np.array([2, 0]).astype(dtype).tolist()  # a tuple is data, as in PyTorch
    assert isinstance(tb.zeros(2, dtype=dtype), cls)
    assert not isinstance(tb.zeros(2, dtype=tb.float64 if dtype != tb.float64 else tb.float32), cls)
    assert not isinstance(np.zeros(2, dtype=dtype), cls)


def test_legacy_constructor_details():
    assert tb.LongTensor([1.7, -2.2]).tolist() == [1, -2]  # truncates, as PyTorch
    assert tb.FloatTensor(np.zeros(2)).dtype == tb.float32
    t = tb.zeros(3)
    assert tb.FloatTensor(t) is t
    assert tb.FloatTensor([1.0], device="cpu").tolist() == [1.0]
    assert isinstance(tb.ones(2), tb.Tensor) and isinstance(tb.ones(2), tb.FloatTensor)


@pytest.mark.parametrize("call, error, message", [
    (lambda: tb.FloatTensor([1], [2]), TypeError, r"FloatTensor\(\): expected sizes"),
    (lambda: tb.FloatTensor("a"), TypeError, "invalid data type 'str'"),
    (lambda: tb.FloatTensor(2.5), TypeError, r"data must be a sequence \(got float\)"),
    (lambda: tb.FloatTensor(-1), RuntimeError, "negative dimension -1"),
    (lambda: tb.FloatTensor([1], requires_grad=True), TypeError, "requires_grad"),
    (lambda: tb.FloatTensor(tb.zeros(2, dtype=tb.float64)), TypeError, "dtype Float, got one of dtype Double"),
    (lambda: tb.FloatTensor([[1], [2, 3]]), TypeError, "ragged"),
    (lambda: tb.FloatTensor(2, device="cuda"), RuntimeError, "cuda"),
])
def test_legacy_constructor_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_variable_is_a_deprecated_alias_returning_a_tensor():
    x = tb.ones(2)
    v = tb.autograd.Variable(x)
    assert type(v) is tb.Tensor and v is not x and not v.requires_grad
    v.data.add_(1)
    assert x.tolist() == [2.0, 2.0]  # shares the memory
    w = tb.autograd.Variable(x, requires_grad=True)
    assert w.requires_grad and w.is_leaf and not x.requires_grad
    y = tb.autograd.Variable(tb.ones(2, requires_grad=True) * 2)
    assert y.grad_fn is None and y.is_leaf
    assert isinstance(x, tb.autograd.Variable) and not isinstance(np.ones(2), tb.autograd.Variable)
    assert tb.autograd.Variable().shape == (0,)
    from tinygrad_bp.autograd import Variable
    assert Variable is tb.autograd.Variable
    with pytest.warns(UserWarning, match="volatile"):
        tb.autograd.Variable(x, volatile=True)


def test_variable_bad_input():
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        tb.autograd.Variable([1, 2])
    with pytest.raises(RuntimeError, match="floating point"):
        tb.autograd.Variable(tb.ones(2, dtype=tb.int64), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tb.autograd.Variable(tb.ones(1))


@pytest.mark.parametrize("name, call", [("tensor", lambda d: tb.tensor([1.0], dtype=d)),
                                        ("zeros", lambda d: tb.zeros(2, dtype=d)),
                                        ("ones", lambda d: tb.ones(2, dtype=d)),
                                        ("rand", lambda d: tb.rand(2, dtype=d)),
                                        ("linspace", lambda d: tb.linspace(0, 1, 3, dtype=d))])
def test_creation_refuses_an_unsupported_dtype_naming_the_call(name, call):
    with pytest.raises(TypeError, match=rf"{name}\(\): unsupported dtype complex64"):
        call(np.complex64)
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'dtype' must be tinygrad_bp.dtype, not str"):
        call("float32")
