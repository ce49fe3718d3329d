"""tb.Size: a tuple subclass with PyTorch's printing, numel(), slicing, concatenation and errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.size import Size


def test_prints_like_torch_size_with_our_name():
    s = tb.Size([2, 3])
    assert repr(s) == str(s) == "tinygrad_bp.Size([2, 3])"
    assert repr(tb.Size()) == "tinygrad_bp.Size([])"
    assert f"{s}" == "tinygrad_bp.Size([2, 3])"


def test_is_a_tuple_equal_and_hashing_like_one():
    s = Size((2, 3, 4))
    assert isinstance(s, tuple) and s == (2, 3, 4) and (2, 3, 4) == s and s != [2, 3, 4]
    assert hash(s) == hash((2, 3, 4)) and {s: 1}[(2, 3, 4)] == 1
    a, b, c = s
    assert (a, b, c) == (2, 3, 4) and s[-1] == 4 and type(s[0]) is int
    assert len(s) == 3 and s.count(3) == 1 and s.index(4) == 2 and list(s) == [2, 3, 4]
    assert Size(s) is s and Size(x for x in (1, 2)) == (1, 2)


def test_numel():
    assert Size([2, 3, 4]).numel() == 24
    assert Size([]).numel() == 1
    assert Size([3, 0]).numel() == 0


def test_slicing_concatenation_and_repetition_give_a_size():
    s = Size([2, 3, 4])
    for value, expected in [(s[1:], (3, 4)), (s[::-1], (4, 3, 2)), (s + (5,), (2, 3, 4, 5)),
                            ((1,) + s, (1, 2, 3, 4)), (s + Size([1]), (2, 3, 4, 1)), (s * 2, (2, 3, 4) * 2),
                            (2 * s, (2, 3, 4) * 2)]:
        assert type(value) is Size and value == expected


def test_index_like_elements_become_ints():
    s = Size([np.int64(3), True, tb.tensor(2)])
    assert s == (3, 1, 2) and all(type(n) is int for n in s)
    assert Size([-1]) == (-1,)  # PyTorch accepts it too (a view's -1)


@pytest.mark.parametrize("sizes, message", [
    ([2.0], "item 0 is 'float'"), ([1, "a"], "item 1 is 'str'"), ([None], "item 0 is 'NoneType'"),
    ([tb.tensor(2.5)], "item 0 is 'Tensor'"), ([tb.tensor([1, 2])], "item 0 is 'Tensor'")])
def test_non_int_elements_are_a_type_error(sizes, message):
    with pytest.raises(TypeError, match=r"tinygrad_bp\.Size\(\) takes an iterable of 'int' \(" + message.replace(
            "(", r"\(")):
        Size(sizes)


def test_misuse_raises_what_pytorch_raises():
    with pytest.raises(TypeError, match="not iterable"):
        Size(3)
    with pytest.raises(TypeError, match=r"can only concatenate tuple \(not list\) to tinygrad_bp.Size"):
        Size([2]) + [3]
    with pytest.raises(TypeError):
        Size([2])[0] = 3


def test_pickles():
    s = Size([2, 3])
    r = pickle.loads(pickle.dumps(s))
    assert type(r) is Size and r == s
