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


# -- samplers, batch samplers, ConcatDataset, IterableDataset --------------------------------------------

def _error(fn):
    """(type name, message) of the exception ``fn()`` raises."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - any exception type is compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("n, batch_size, drop_last", [(7, 3, False), (7, 3, True), (6, 3, True), (2, 5, False),
                                                      (2, 5, True), (1, 1, False)])
def test_sequential_and_batch_samplers_match_torch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    td = torch.utils.data
    assert list(tbdata.SequentialSampler(range(n))) == list(td.SequentialSampler(range(n)))
    for source in (range(n), [3 * i + 1 for i in range(n)]):
        ours = tbdata.BatchSampler(source, batch_size, drop_last)
        theirs = td.BatchSampler(source, batch_size, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("make", [
    lambda td: td.RandomSampler(range(5)),
    lambda td: td.RandomSampler(range(5), num_samples=12),
    lambda td: td.RandomSampler(range(5), num_samples=3),
    lambda td: td.RandomSampler(range(5), replacement=True, num_samples=40),
    lambda td: td.SubsetRandomSampler([4, 8, 15, 16, 23, 42]),
    lambda td: td.WeightedRandomSampler([0.1, 0.9, 0.4], 7),
    lambda td: td.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 3, replacement=False),
])
def test_random_samplers_have_torchs_length_and_support(make):
    torch = pytest.importorskip("torch")
    td = torch.utils.data
    ours, theirs = make(tbdata), make(td)
    assert len(ours) == len(theirs)
    for sampler, values in ((ours, list(ours)), (theirs, list(theirs))):  # the same checks pass for both
        assert len(values) == len(theirs)
        if isinstance(theirs, td.SubsetRandomSampler):
            assert sorted(values) == [4, 8, 15, 16, 23, 42]
        elif isinstance(theirs, td.WeightedRandomSampler):
            assert set(values) <= set(range(len(sampler.weights)))
            if not theirs.replacement:
                assert len(set(values)) == len(values)
        elif theirs.replacement:
            assert set(values) <= set(range(5))
        else:  # whole permutations, then part of one: every index k or k + 1 times
            k = theirs.num_samples // 5
            counts = collections.Counter(values)
            assert set(counts) <= set(range(5)) and set(counts.values()) <= {k, k + 1}
            assert sum(c == k + 1 for c in counts.values()) == theirs.num_samples % 5


@pytest.mark.parametrize("make", [
    lambda td: td.RandomSampler(range(3), replacement=1),
    lambda td: td.RandomSampler(range(3), num_samples=0),
    lambda td: td.RandomSampler([], replacement=False),
    lambda td: td.RandomSampler(range(3), num_samples=1.5),
    lambda td: td.WeightedRandomSampler([1.0], 0),
    lambda td: td.WeightedRandomSampler([1.0], -3),
    lambda td: td.WeightedRandomSampler([1.0], 2, replacement="yes"),
    lambda td: td.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda td: td.BatchSampler(range(3), 0, False),
    lambda td: td.BatchSampler(range(3), True, False),
    lambda td: td.BatchSampler(range(3), 2, None),
    lambda td: list(td.WeightedRandomSampler([1.0, -1.0], 2)),
    lambda td: list(td.WeightedRandomSampler([1.0, float("nan")], 2)),
    lambda td: list(td.WeightedRandomSampler([1.0, float("inf")], 2)),
    lambda td: list(td.WeightedRandomSampler([0.0, 0.0], 2)),
    lambda td: list(td.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
    lambda td: td.ConcatDataset([]),
    lambda td: td.ConcatDataset([td.TensorDataset(*_ones(td, 2))])[-3],
])
def test_sampler_and_dataset_errors_match_torch(make):
    torch = pytest.importorskip("torch")
    theirs = _error(lambda: make(torch.utils.data))
    assert theirs is not None
    assert _error(lambda: make(tbdata)) == theirs


def _ones(td, n):
    lib = tb if td is tbdata else __import__("torch")
    return (lib.ones(n, 2),)


def test_weighted_sampler_without_replacement_has_torchs_law():
    # the frequency with which each index is among 2 draws without replacement, ours against torch's
    torch = pytest.importorskip("torch")
    w = [1.0, 2.0, 3.0, 4.0]
    trials = 20_000
    torch.manual_seed(0)
    g = tb.Generator().manual_seed(0)
    ours, theirs = np.zeros(4), np.zeros(4)
    for _ in range(trials):
        ours[list(tbdata.WeightedRandomSampler(w, 2, replacement=False, generator=g))] += 1
        theirs[list(torch.utils.data.WeightedRandomSampler(w, 2, replacement=False))] += 1
    # two independent estimates of the same probabilities: difference within 5 standard errors
    np.testing.assert_allclose(ours / trials, theirs / trials, atol=5 * np.sqrt(2 * 0.25 / trials))


def test_loader_with_samplers_and_batch_samplers_matches_torch():
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 10)
    cases = [
        {"batch_size": 3, "sampler": [9, 0, 4, 4, 2]},
        {"batch_size": 4, "sampler": range(7), "drop_last": True},
        {"batch_sampler": [[3, 1], [0], [9, 8, 7]]},
        {"batch_size": None, "sampler": [5, 2]},
    ]
    for kwargs in cases:
        ours = tbdata.DataLoader(ours_ds, **kwargs)
        theirs = torch.utils.data.DataLoader(theirs_ds, **kwargs)
        assert len(ours) == len(theirs)
        assert (ours.batch_size, ours.drop_last) == (theirs.batch_size, theirs.drop_last)
        for a, b in itertools.zip_longest(ours, theirs):
            same_structure(a, b, torch)
    for make in (lambda td, lib: td.BatchSampler(td.SequentialSampler(range(10)), 4, False),
                 lambda td, lib: td.BatchSampler(td.SequentialSampler(range(10)), 4, True)):
        ours = tbdata.DataLoader(ours_ds, batch_sampler=make(tbdata, tb))
        theirs = torch.utils.data.DataLoader(theirs_ds, batch_sampler=make(torch.utils.data, torch))
        assert len(ours) == len(theirs)
        for a, b in itertools.zip_longest(ours, theirs):
            same_structure(a, b, torch)


@pytest.mark.parametrize("kwargs", [
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"persistent_workers": True},
    {"num_workers": -1},
])
def test_loader_conflicts_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 4)
    theirs = _error(lambda: torch.utils.data.DataLoader(theirs_ds, **kwargs))
    assert theirs is not None and _error(lambda: tbdata.DataLoader(ours_ds, **kwargs)) == theirs


def test_frozen_loader_attributes_match_torch():
    torch = pytest.importorskip("torch")
    ours_ds, theirs_ds = make_pair(torch, 4)
    ours, theirs = tbdata.DataLoader(ours_ds), torch.utils.data.DataLoader(theirs_ds)
    for attr in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset", "persistent_workers"):
        assert _error(lambda: setattr(ours, attr, None)) == _error(lambda: setattr(theirs, attr, None))  # noqa: B023


def _stream_class(base):
    class Stream(base):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter([float(i) for i in range(self.n)])

        def __len__(self):
            return self.n

    return Stream


@pytest.mark.parametrize("kwargs", [{"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None},
                                    {"batch_size": 7}, {}])
def test_iterable_dataset_loader_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours_cls, theirs_cls = _stream_class(tbdata.IterableDataset), _stream_class(torch.utils.data.IterableDataset)
    ours = tbdata.DataLoader(ours_cls(7), **kwargs)
    theirs = torch.utils.data.DataLoader(theirs_cls(7), **kwargs)
    assert len(ours) == len(theirs)
    for a, b in itertools.zip_longest(ours, theirs):
        if isinstance(b, float):
            assert a == b
        else:
            same_structure(a, b, torch)
    chained_ours, chained_theirs = ours_cls(2) + ours_cls(3), theirs_cls(2) + theirs_cls(3)
    assert list(chained_ours) == list(chained_theirs) and len(chained_ours) == len(chained_theirs)
    for bad in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        assert _error(lambda: tbdata.DataLoader(ours_cls(3), **bad)) == \
            _error(lambda: torch.utils.data.DataLoader(theirs_cls(3), **bad))  # noqa: B023


def test_concat_dataset_matches_torch():
    torch = pytest.importorskip("torch")
    a_ours, a_theirs = make_pair(torch, 3)
    b_ours, b_theirs = make_pair(torch, 5)
    ours, theirs = a_ours + b_ours, a_theirs + b_theirs
    assert type(ours).__name__ == type(theirs).__name__ == "ConcatDataset"
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs)
    for i in range(-8, 8):
        same_structure(ours[i], theirs[i], torch)
    assert _error(lambda: ours[-9]) == _error(lambda: theirs[-9])
    assert _error(lambda: ours[8])[0] == _error(lambda: theirs[8])[0] == "IndexError"
    for a, b in itertools.zip_longest(tbdata.DataLoader(ours, batch_size=3), torch.utils.data.DataLoader(theirs, 3)):
        same_structure(a, b, torch)
