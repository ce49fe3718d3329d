"""tb.utils.data: Dataset, TensorDataset, Subset, DataLoader, random_split, default_collate."""

import collections
import contextlib

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    default_convert,
    random_split,
)


def slow_collate(batch):
    """The default collate, called through a different function object: forces the generic path."""
    return default_collate(batch)


def make_dataset(n=10, dtype=np.float32):
    x = np.arange(n * 3, dtype=dtype).reshape(n, 3)
    y = np.arange(n, dtype=np.int64)
    return x, y, TensorDataset(tb.from_numpy(x), tb.from_numpy(y))


def rows_seen(loader):
    return np.concatenate([b[1].numpy() for b in loader]).tolist()


class ListDataset(Dataset):
    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


# -- the tutorial's arithmetic and len -------------------------------------------------------------

def test_module_is_reachable_as_attribute():
    assert tb.utils.data.DataLoader is DataLoader


@pytest.mark.parametrize("batch_size, updates", [(100, 50), (1, 5000), (20, 250)])
def test_tutorial_update_counts(batch_size, updates):
    x = tb.randn(100, 10)
    y = tb.randn(100, 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    steps = 0
    for _ in range(50):
        for b_x, b_y in loader:
            assert b_x.shape == (batch_size, 10) and b_y.shape == (batch_size, 1)
            steps += 1
    assert steps == updates == 50 * len(loader)


@pytest.mark.parametrize("n, batch_size, drop_last, expected", [
    (10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1),
    (2, 5, True, 0), (0, 4, False, 0), (1, 1, False, 1)])
def test_len_is_ceil_or_floor_and_matches_iteration(n, batch_size, drop_last, expected):
    _, _, ds = make_dataset(n)
    for loader in (DataLoader(ds, batch_size, drop_last=drop_last),
                   DataLoader(ds, batch_size, drop_last=drop_last, collate_fn=slow_collate)):
        assert len(loader) == expected
        assert sum(1 for _ in loader) == expected


# -- batches: order, content, dtype ------------------------------------------------------------------

@pytest.mark.parametrize("collate", [None, slow_collate])
def test_sequential_batches_are_the_rows_in_order(collate):
    x, y, ds = make_dataset(10)
    batches = list(DataLoader(ds, batch_size=4, collate_fn=collate))
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert all(type(b) is list and len(b) == 2 for b in batches)   # PyTorch: a list, not a tuple
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)


def test_drop_last_drops_the_incomplete_batch():
    _, _, ds = make_dataset(10)
    assert rows_seen(DataLoader(ds, 4, drop_last=True)) == list(range(8))
    seen = rows_seen(DataLoader(ds, 4, shuffle=True, drop_last=True))
    assert len(seen) == 8 and len(set(seen)) == 8


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.bool_])
def test_batches_keep_the_dtype(dtype):
    data = (np.arange(12).reshape(6, 2) % 3).astype(dtype)
    for loader in (DataLoader(TensorDataset(tb.from_numpy(data)), 4, shuffle=True),
                   DataLoader(TensorDataset(tb.from_numpy(data)), 4, collate_fn=slow_collate)):
        for (batch,) in loader:
            assert batch.dtype == np.dtype(dtype)
            assert not batch.requires_grad


def test_float64_data_gives_float64_batches_and_int64_labels():
    ds = TensorDataset(tb.tensor(np.random.rand(5, 2)), tb.tensor([0, 1, 0, 1, 1]))
    b_x, b_y = next(iter(DataLoader(ds, batch_size=5)))
    assert b_x.dtype == tb.float64 and b_y.dtype == tb.int64


def test_a_batch_does_not_alias_the_dataset():
    x, _, ds = make_dataset(6)
    before = x.copy()
    for shuffle in (False, True):
        for b_x, _ in DataLoader(ds, batch_size=2, shuffle=shuffle):
            b_x.data += 100
    np.testing.assert_array_equal(ds.tensors[0].numpy(), before)


# -- shuffling ----------------------------------------------------------------------------------------

def test_shuffle_gives_a_fresh_permutation_each_epoch():
    _, _, ds = make_dataset(50)
    loader = DataLoader(ds, batch_size=7, shuffle=True, generator=tb.Generator().manual_seed(0))
    epochs = [rows_seen(loader) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(50))
    assert epochs[0] != epochs[1] != epochs[2]
    assert epochs[0] != list(range(50))


def test_shuffle_is_reproducible_after_manual_seed():
    _, _, ds = make_dataset(30)
    loader = DataLoader(ds, batch_size=4, shuffle=True)
    tb.manual_seed(123)
    first = [rows_seen(loader) for _ in range(2)]
    tb.manual_seed(123)
    second = [rows_seen(loader) for _ in range(2)]
    assert first == second
    tb.manual_seed(124)
    assert [rows_seen(loader) for _ in range(2)] != first


def test_shuffle_with_a_generator_ignores_the_global_seed():
    _, _, ds = make_dataset(30)
    orders = []
    for global_seed in (1, 2):
        tb.manual_seed(global_seed)
        loader = DataLoader(ds, batch_size=4, shuffle=True, generator=tb.Generator().manual_seed(7))
        orders.append(rows_seen(loader))
    assert orders[0] == orders[1]


def test_fast_path_gives_the_same_batches_as_stacking_samples():
    _, _, ds = make_dataset(23)
    for shuffle in (False, True):
        fast = DataLoader(ds, 5, shuffle=shuffle, generator=tb.Generator().manual_seed(3))
        slow = DataLoader(ds, 5, shuffle=shuffle, generator=tb.Generator().manual_seed(3), collate_fn=slow_collate)
        for a, b in zip(fast, slow, strict=True):
            for ta, tb_ in zip(a, b, strict=True):
                assert ta.dtype == tb_.dtype and ta.shape == tb_.shape
                np.testing.assert_array_equal(ta.numpy(), tb_.numpy())


def test_fast_path_does_not_index_samples_one_by_one(monkeypatch):
    _, _, ds = make_dataset(8)

    def refuse(self, index):
        raise AssertionError("sample-by-sample indexing on the fast path")

    monkeypatch.setattr(TensorDataset, "__getitem__", refuse)
    assert rows_seen(DataLoader(ds, 3)) == list(range(8))
    assert sorted(rows_seen(DataLoader(ds, 3, shuffle=True))) == list(range(8))
    assert sorted(rows_seen(DataLoader(Subset(ds, [7, 1, 2]), 2))) == [1, 2, 7]


def test_subclass_that_overrides_getitem_is_respected():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return x * 2, y

    ds = Doubled(tb.arange(4.0), tb.arange(4))
    (b_x, b_y), = list(DataLoader(ds, 4))
    np.testing.assert_array_equal(b_x.numpy(), [0.0, 2.0, 4.0, 6.0])


def test_dataset_tensor_that_requires_grad_keeps_the_batch_in_the_graph():
    w = tb.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    ds = TensorDataset(w, tb.arange(3))
    for shuffle in (False, True):
        w.grad = None
        for b_w, b_i in DataLoader(ds, 2, shuffle=shuffle):
            assert b_w.requires_grad
            (b_w * (b_i.unsqueeze(1).float() + 1)).sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), np.repeat([[1.0], [2.0], [3.0]], 2, axis=1))


# -- collate --------------------------------------------------------------------------------------------

def test_default_collate_numbers():
    floats = default_collate([1.5, 2.0])
    assert floats.dtype == tb.float64                 # PyTorch: Python floats collate to float64
    assert default_collate([1, 2]).dtype == tb.int64
    assert default_collate([True, False]).dtype == tb.bool
    assert default_collate([np.float32(1), np.float32(2)]).dtype == tb.float32
    assert default_collate([np.int32(1), np.int32(2)]).shape == (2,)


def test_default_collate_containers():
    Point = collections.namedtuple("Point", "x y")
    samples = [{"a": np.ones(2, np.float32), "b": (1, "s")}, {"a": np.zeros(2, np.float32), "b": (2, "t")}]
    out = default_collate(samples)
    assert set(out) == {"a", "b"}
    assert out["a"].shape == (2, 2) and out["a"].dtype == tb.float32
    assert type(out["b"]) is list and out["b"][0].tolist() == [1, 2] and out["b"][1] == ("s", "t")
    p = default_collate([Point(1.0, 2), Point(3.0, 4)])
    assert type(p) is Point and p.x.tolist() == [1.0, 3.0] and p.y.dtype == tb.int64
    od = default_collate([collections.OrderedDict(k=1), collections.OrderedDict(k=2)])
    assert type(od) is collections.OrderedDict


def test_default_collate_stacks_tensors_with_a_new_first_dim():
    out = default_collate([tb.ones(2, 3), tb.zeros(2, 3)])
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy()[0], 1.0)


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([tb.ones(2), tb.ones(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found object"):
        default_collate([np.array([None]), np.array([None])])


def test_default_convert_for_batch_size_none():
    x, y, ds = make_dataset(3)
    samples = list(DataLoader(ds, batch_size=None))
    assert len(samples) == 3 and len(DataLoader(ds, batch_size=None)) == 3
    assert type(samples[1]) is list and samples[1][0].shape == (3,)
    np.testing.assert_array_equal(samples[1][0].numpy(), x[1])
    converted = default_convert({"a": np.ones(2), "b": (np.int64(3), "s")})
    assert isinstance(converted["a"], tb.Tensor) and converted["b"][1] == "s"


def test_custom_collate_and_generic_dataset():
    ds = ListDataset([{"v": i, "name": str(i)} for i in range(5)])
    names = [b for b in DataLoader(ds, 2, collate_fn=lambda batch: [s["name"] for s in batch])]
    assert names == [["0", "1"], ["2", "3"], ["4"]]
    batches = list(DataLoader(ds, 2))
    assert batches[0]["v"].tolist() == [0, 1] and batches[2]["name"] == ["4"]


# -- argument checking -------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_invalid_batch_size(bad):
    _, _, ds = make_dataset(4)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(ds, batch_size=bad)


def test_invalid_arguments():
    _, _, ds = make_dataset(4)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        DataLoader(ds, 2, drop_last="yes")
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, 2, shuffle=True, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="collate_fn"):
        DataLoader(ds, 2, collate_fn="stack")
    with pytest.raises(TypeError, match="map-style"):
        DataLoader(iter(range(3)))
    with pytest.raises(TypeError):
        DataLoader(ds, 2, False, True)     # the 4th positional argument is `sampler`, as in PyTorch


def test_dataset_base_class_needs_getitem():
    with pytest.raises(NotImplementedError):
        Dataset()[0]


# -- TensorDataset -----------------------------------------------------------------------------------

def test_tensor_dataset_samples_and_errors():
    x, y, ds = make_dataset(4)
    sample = ds[2]
    assert type(sample) is tuple and len(ds) == 4
    np.testing.assert_array_equal(sample[0].numpy(), x[2])
    assert sample[1].item() == 2
    with pytest.raises(ValueError, match=r"size mismatch.*\(4, 3\).*\(3,\)"):
        TensorDataset(tb.zeros(4, 3), tb.zeros(3))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-dimensional"):
        TensorDataset(tb.tensor(1.0))
    with pytest.raises(TypeError, match="argument 1 is list"):
        TensorDataset(tb.zeros(2), [1, 2])


def test_tensor_dataset_accepts_numpy_arrays():
    ds = TensorDataset(np.ones((3, 2)), np.arange(3))
    assert isinstance(ds.tensors[0], tb.Tensor) and ds.tensors[0].dtype == tb.float64


# -- random_split --------------------------------------------------------------------------------------

def test_random_split_lengths_partition_the_dataset():
    _, _, ds = make_dataset(10)
    parts = random_split(ds, [3, 7], generator=tb.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    seen = [p[i][1].item() for p in parts for i in range(len(p))]
    assert sorted(seen) == list(range(10))
    again = random_split(ds, [3, 7], generator=tb.Generator().manual_seed(0))
    assert parts[0].indices == again[0].indices


@pytest.mark.parametrize("n, fractions, expected", [
    (10, [0.25, 0.25, 0.5], [3, 2, 5]),     # floors 2, 2, 5; the one left over goes to the first split
    (7, [0.5, 0.5], [4, 3]),
    (10, [0.1, 0.2, 0.7], [1, 2, 7]),
    (11, [1 / 3, 1 / 3, 1 / 3], [4, 4, 3]),
    (3, [0.9, 0.1], [3, 0]),
    (100, [0.8, 0.2], [80, 20])])
def test_random_split_fractions_follow_pytorch_rounding(n, fractions, expected):
    _, _, ds = make_dataset(n)
    zero = pytest.warns(UserWarning, match="Length of split at index 1 is 0")
    with zero if 0 in expected else contextlib.nullcontext():
        parts = random_split(ds, fractions)
    assert [len(p) for p in parts] == expected


def test_random_split_errors():
    _, _, ds = make_dataset(10)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(ds, [1.5, -0.5])
    with pytest.raises(ValueError, match="non-negative integer"):
        random_split(ds, [-1, 11])


def test_loader_over_a_split_uses_the_subset_rows():
    _, _, ds = make_dataset(20)
    train, test = random_split(ds, [0.75, 0.25], generator=tb.Generator().manual_seed(1))
    assert rows_seen(DataLoader(test, 2)) == list(test.indices)
    assert rows_seen(DataLoader(test, 2, collate_fn=slow_collate)) == list(test.indices)
    nested = Subset(train, [4, 0, 2])
    assert rows_seen(DataLoader(nested, 2)) == [train.indices[i] for i in (4, 0, 2)]
    shuffled = rows_seen(DataLoader(train, 4, shuffle=True))
    assert sorted(shuffled) == sorted(train.indices)


def test_num_workers_and_pin_memory_are_accepted_for_pytorch_code():
    ds = TensorDataset(tb.arange(6).reshape(6, 1))
    loader = DataLoader(ds, batch_size=4, num_workers=2, pin_memory=True)
    assert [b[0].shape for b in loader] == [(4, 1), (2, 1)]
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)
