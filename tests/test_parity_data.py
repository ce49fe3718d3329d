"""utils.data against live PyTorch: loader lengths, batch shapes and dtypes, collate, random_split lengths."""

import collections
import itertools
import warnings

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.utils import data as tbdata

pytestmark = pytest.mark.parity


def same_structure(ours, theirs, torch):
    """Same container types, and tensors with equal shape, dtype and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tb.Tensor)
        expected = theirs.numpy()
        assert ours.shape == tuple(theirs.shape) and ours.dtype == expected.dtype
        np.testing.assert_array_equal(ours.detach().numpy(), expected)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            same_structure(ours[k], theirs[k], torch)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same_structure(a, b, torch)
    else:
        assert ours == theirs


def make_pair(torch, n):
    x = np.random.default_rng(0).standard_normal((n, 3)).astype(np.float32)
    y = np.arange(n, dtype=np.int64)
    z = np.random.default_rng(1).random((n, 1))
    ours = tbdata.TensorDataset(tb.from_numpy(x), tb.from_numpy(y), tb.from_numpy(z))
    theirs = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(z))
    return ours, theirs


@pytest.mark.parametrize("n, batch_size, drop_last", list(itertools.product([1, 7, 20, 100], [1, 3, 20, 100],
                                                                           [False, True])))
def test_loader_len_shapes_and_values_match_torch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, n)
    ours = tbdata.DataLoader(ours_ds, batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(theirs_ds, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    ours_batches, theirs_batches = list(ours), list(theirs)
    assert len(ours_batches) == len(theirs_batches)
    for a, b in zip(ours_batches, theirs_batches):
        same_structure(a, b, torch)
    shuffled = tbdata.DataLoader(ours_ds, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    theirs_shuffled = torch.utils.data.DataLoader(theirs_ds, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    assert [[tuple(t.shape) for t in b] for b in shuffled] == [[tuple(t.shape) for t in b] for b in theirs_shuffled]


def test_tutorial_update_counts_match_torch():
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 100)
    for batch_size in (100, 1, 20):
        ours = sum(len(tbdata.DataLoader(ours_ds, batch_size, shuffle=True)) for _ in range(50))
        theirs = sum(len(torch.utils.data.DataLoader(theirs_ds, batch_size, shuffle=True)) for _ in range(50))
        assert ours == theirs


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("samples", [
    [1.5, 2.0, -3.25],
    [1, 2, 3],
    [True, False],
    [np.float32(1.5), np.float32(2)],
    [np.int32(4), np.int32(5)],
    [np.ones((2, 2), np.float64), np.zeros((2, 2), np.float64)],
    [(1, 2.0, "a"), (3, 4.0, "b")],
    [[1, 2], [3, 4]],
    [{"x": 1.0, "y": (np.int64(1), True)}, {"x": 2.0, "y": (np.int64(2), False)}],
    [Point(1, 2.0), Point(3, 4.0)],
    ["a", "b"],
])
def test_default_collate_matches_torch(samples):
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate
    same_structure(tbdata.default_collate(samples), torch_collate(samples), torch)


def test_collate_of_tensor_samples_matches_torch():
    torch = pytest.importorskip("torch")
    arrays = [np.full((2, 3), i, dtype=np.float64) for i in range(4)]
    ours = tbdata.default_collate([tb.from_numpy(a) for a in arrays])
    theirs = torch.utils.data.default_collate([torch.from_numpy(a) for a in arrays])
    same_structure(ours, theirs, torch)


def test_batch_size_none_matches_torch():
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 5)
    ours = tbdata.DataLoader(ours_ds, batch_size=None)
    theirs = torch.utils.data.DataLoader(theirs_ds, batch_size=None)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        same_structure(a, b, torch)


@pytest.mark.parametrize("n", [1, 3, 7, 10, 11, 100, 101])
@pytest.mark.parametrize("fractions", [[0.5, 0.5], [0.25, 0.25, 0.5], [0.1, 0.2, 0.7], [1 / 3] * 3, [0.9, 0.1],
                                       [0.8, 0.1, 0.1], [1.0]])
def test_random_split_lengths_match_torch(n, fractions):
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = [len(s) for s in tbdata.random_split(ours_ds, fractions)]
        theirs = [len(s) for s in torch.utils.data.random_split(theirs_ds, fractions)]
    assert ours == theirs


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": -2}, {"batch_size": True},
                                    {"batch_size": 1.5}, {"drop_last": 1}, {"batch_size": None, "drop_last": True}])
def test_invalid_arguments_raise_like_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 4)
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(theirs_ds, **kwargs)
    with pytest.raises(ValueError) as ours:
        tbdata.DataLoader(ours_ds, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_random_split_errors_like_torch():
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 10)
    for lengths in ([3, 3], [1.5, -0.5]):
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.random_split(theirs_ds, lengths)
        with pytest.raises(ValueError) as ours:
            tbdata.random_split(ours_ds, lengths)
        assert str(ours.value) == str(theirs.value)
