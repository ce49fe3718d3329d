"""tb.utils.data samplers (Sequential, Random, SubsetRandom, WeightedRandom, Batch), DataLoader(sampler=,
batch_sampler=) and its mutual-exclusion rules, ConcatDataset, IterableDataset and ChainDataset.

Random samplers cannot reproduce torch's random numbers (NumPy's PCG64 stream): their semantics are tested
here (permutations, counts, reproducibility from a tb.Generator, frequencies against the weights)."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
)


def gen(seed=0):
    return tb.Generator().manual_seed(seed)


def make_dataset(n=10):
    x = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    return TensorDataset(tb.from_numpy(x), tb.arange(n))


def labels(loader):
    return [b[1].tolist() for b in loader]


def slow_collate(batch):
    return default_collate(batch)


# -- samplers --------------------------------------------------------------------------------------

def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5 and isinstance(s, Sampler)


def test_sampler_base_has_no_default_len():
    with pytest.raises(NotImplementedError):
        iter(Sampler())
    with pytest.raises(TypeError):
        len(Sampler())


def test_random_sampler_is_a_fresh_permutation_each_pass_and_reproducible():
    s = RandomSampler(range(20), generator=gen(1))
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(20)) and first != second
    again = RandomSampler(range(20), generator=gen(1))
    assert list(again) == first and list(again) == second
    tb.manual_seed(3)
    a = list(RandomSampler(range(20)))
    tb.manual_seed(3)
    assert list(RandomSampler(range(20))) == a


def test_random_sampler_num_samples_without_replacement_concatenates_permutations():
    s = RandomSampler(range(4), num_samples=10, generator=gen(2))
    got = list(s)
    assert len(got) == len(s) == 10
    assert sorted(got[:4]) == sorted(got[4:8]) == [0, 1, 2, 3] and len(set(got[8:])) == 2
    assert len(RandomSampler(range(4), num_samples=3)) == 3 and len(set(RandomSampler(range(4), num_samples=3))) == 3


def test_random_sampler_with_replacement_draws_uniformly():
    n, draws = 5, 50_000
    got = np.array(list(RandomSampler(range(n), replacement=True, num_samples=draws, generator=gen(4))))
    assert got.min() >= 0 and got.max() < n and len(got) == draws
    counts = np.bincount(got, minlength=n)
    chi2 = ((counts - draws / n) ** 2 / (draws / n)).sum()
    assert chi2 < 18.5  # 4 degrees of freedom, p = 0.001
    assert len(set(RandomSampler(range(3), replacement=True, num_samples=30, generator=gen(0)))) <= 3


def test_random_sampler_follows_the_dataset_length_and_validates():
    data = list(range(3))
    s = RandomSampler(data)
    data.append(3)
    assert len(s) == 4 and sorted(s) == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        RandomSampler(data, replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(data, num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])
    with pytest.raises(ValueError, match="num_samples=2.5"):
        RandomSampler(data, num_samples=2.5)
    with pytest.raises(TypeError, match="tb.Generator"):
        RandomSampler(data, generator=np.random.default_rng(0))


def test_subset_random_sampler_permutes_the_given_indices():
    s = SubsetRandomSampler([7, 3, 9, 1], generator=gen(5))
    got = list(s)
    assert sorted(got) == [1, 3, 7, 9] and len(s) == 4
    assert list(SubsetRandomSampler([7, 3, 9, 1], generator=gen(5))) == got
    assert sorted(SubsetRandomSampler(["a", "b", "c"])) == ["a", "b", "c"]  # the objects themselves


def test_weighted_sampler_frequencies_follow_the_weights():
    weights = [1.0, 2.0, 0.0, 5.0]
    draws = 80_000
    got = np.array(list(WeightedRandomSampler(weights, draws, generator=gen(6))))
    counts = np.bincount(got, minlength=4)
    assert counts[2] == 0
    p = np.array(weights) / sum(weights)
    expected = draws * p
    nonzero = p > 0
    chi2 = ((counts[nonzero] - expected[nonzero]) ** 2 / expected[nonzero]).sum()
    assert chi2 < 13.8  # 2 degrees of freedom, p = 0.001
    ws = WeightedRandomSampler(tb.tensor(weights), 7)
    assert len(ws) == 7 and ws.weights.dtype == tb.float64


def test_weighted_sampler_without_replacement_is_successive_sampling():
    # P(first draw = i) = w_i / Σw; P(i among 2 draws) = p_i + Σ_{j≠i} p_j · p_i / (1 − p_j)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    p = w / w.sum()
    trials = 20_000
    g = gen(7)
    firsts, pairs = np.zeros(4), np.zeros(4)
    for _ in range(trials):
        a, b = list(WeightedRandomSampler(w, 2, replacement=False, generator=g))
        assert a != b
        firsts[a] += 1
        pairs[[a, b]] += 1
    in_two = np.array([p[i] + sum(p[j] * p[i] / (1 - p[j]) for j in range(4) if j != i) for i in range(4)])
    np.testing.assert_allclose(firsts / trials, p, atol=4 * math.sqrt(0.25 / trials))
    np.testing.assert_allclose(pairs / trials, in_two, atol=4 * math.sqrt(0.25 / trials))
    everything = list(WeightedRandomSampler([0.5, 0.0, 2.0], 2, replacement=False, generator=g))
    assert sorted(everything) == [0, 2]
    # more than the positive weights: those first, then zero-weight indices (as torch.multinomial)
    padded = list(WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 3, replacement=False, generator=g))
    assert padded[0] == 2 and sorted(padded) == [0, 1, 2]


@pytest.mark.parametrize("weights, n, replacement, message", [
    ([1.0, -1.0], 2, True, "encountering probability entry < 0"),
    ([1.0, float("nan")], 2, True, "encountering probability entry < 0"),
    ([1.0, float("inf")], 2, True, "encountering probability entry = infinity or NaN"),
    ([0.0, 0.0], 2, True, "sum of probabilities <= 0"),
    ([1.0, 1.0], 3, False, "cannot sample n_sample > prob_dist.size"),
])
def test_weighted_sampler_invalid_weights_raise_when_iterated(weights, n, replacement, message):
    s = WeightedRandomSampler(weights, n, replacement=replacement)
    with pytest.raises(RuntimeError, match=message):
        list(s)


def test_weighted_sampler_validates_its_arguments():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="num_samples=True"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=0"):
        WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 1)


def test_batch_sampler_groups_any_iterable():
    assert list(BatchSampler(range(7), 3, drop_last=False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    assert list(BatchSampler([5, 1], 4, False)) == [[5, 1]] and list(BatchSampler([5, 1], 4, True)) == []
    s = BatchSampler(RandomSampler(range(6), generator=gen(8)), 4, False)
    batches = list(s)
    assert [len(b) for b in batches] == [4, 2] and sorted(sum(batches, [])) == list(range(6))
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        BatchSampler(range(3), 2, 1)


# -- DataLoader with samplers ----------------------------------------------------------------------

def test_loader_with_a_sampler_visits_its_indices():
    ds = make_dataset(10)
    loader = DataLoader(ds, batch_size=3, sampler=[9, 0, 4, 4, 2])
    assert labels(loader) == [[9, 0, 4], [4, 2]] and len(loader) == 2
    loader = DataLoader(ds, batch_size=2, sampler=SubsetRandomSampler(range(6), generator=gen(1)), drop_last=True)
    seen = sum(labels(loader), [])
    assert len(loader) == 3 and sorted(seen) == list(range(6))


def test_loader_with_a_batch_sampler_uses_its_batches_as_given():
    ds = make_dataset(10)
    loader = DataLoader(ds, batch_sampler=[[3, 1], [0], [9, 8, 7]])
    assert labels(loader) == [[3, 1], [0], [9, 8, 7]] and len(loader) == 3
    assert loader.batch_size is None and loader.drop_last is False
    x = next(iter(loader))[0]
    assert x.dtype == tb.float64 and x.tolist() == [[6.0, 7.0], [2.0, 3.0]]
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(range(5)), 2, True))
    assert labels(loader) == [[0, 1], [2, 3]]


def test_fast_and_generic_paths_give_the_same_batches_for_every_sampler():
    # the TensorDataset fast path (array indexing) against the generic one (index, then stack samples)
    ds = make_dataset(13)
    sub = Subset(ds, [12, 0, 5, 7, 3, 9, 1, 2])
    makers = [
        lambda d, seed: {"shuffle": True, "generator": gen(seed)},
        lambda d, seed: {"sampler": RandomSampler(d, replacement=True, num_samples=11, generator=gen(seed))},
        lambda d, seed: {"sampler": RandomSampler(d, num_samples=20, generator=gen(seed))},
        lambda d, seed: {"sampler": WeightedRandomSampler(np.arange(len(d)) + 1.0, 9, generator=gen(seed))},
        lambda d, seed: {"sampler": SubsetRandomSampler([1, 4, 2, 6], generator=gen(seed))},
        lambda d, seed: {"sampler": SequentialSampler(range(5))},
        lambda d, seed: {"batch_sampler": BatchSampler(RandomSampler(d, generator=gen(seed)), 3, True),
                         "batch_size": 1},
        lambda d, seed: {"batch_sampler": [[2, 2, 0], [5]], "batch_size": 1},
    ]
    for d in (ds, sub):
        for make in makers:
            kwargs = make(d, 11)
            bs = kwargs.pop("batch_size", 3)
            fast = list(DataLoader(d, batch_size=bs, **kwargs))
            kwargs = make(d, 11)
            kwargs.pop("batch_size", None)
            slow = list(DataLoader(d, batch_size=bs, collate_fn=slow_collate, **kwargs))
            assert len(fast) == len(slow) > 0
            for a, b in zip(fast, slow):
                np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
                np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


def test_shuffle_uses_a_random_sampler_with_the_loaders_generator():
    ds = make_dataset(10)
    loader = DataLoader(ds, batch_size=4, shuffle=True, generator=gen(3))
    assert isinstance(loader.sampler, RandomSampler) and loader.sampler.generator is loader.generator
    assert isinstance(loader.batch_sampler, BatchSampler) and loader.batch_sampler.batch_size == 4
    assert isinstance(DataLoader(ds).sampler, SequentialSampler)
    assert DataLoader(ds, batch_size=None).batch_sampler is None


@pytest.mark.parametrize("kwargs, message", [
    ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive with batch_size, "
                                                "shuffle, sampler, and drop_last"),
    ({"batch_sampler": [[0]], "shuffle": True}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, "batch_size=None option disables auto-batching"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
])
def test_loader_argument_conflicts_raise_pytorchs_value_errors(kwargs, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        DataLoader(make_dataset(4), **kwargs)


def test_loader_positional_order_is_pytorchs_and_settings_are_frozen():
    ds = make_dataset(6)
    loader = DataLoader(ds, 2, False, [5, 4, 3])   # 4th positional argument: sampler
    assert labels(loader) == [[5, 4], [3]]
    with pytest.raises(TypeError, match="sampler should be a Sampler or an iterable"):
        DataLoader(ds, 2, False, True)
    for attr in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after DataLoader is initialized"):
            setattr(loader, attr, None)
    loader.collate_fn = slow_collate  # other attributes stay settable, as in PyTorch
    assert labels(loader) == [[5, 4], [3]]


# -- ConcatDataset, IterableDataset, ChainDataset ------------------------------------------------------

def test_concat_dataset_indexes_across_its_parts():
    a, b = make_dataset(3), make_dataset(4)
    cat = ConcatDataset([a, b])
    assert len(cat) == 7 and cat.cumulative_sizes == [3, 7]
    assert [cat[i][1].item() for i in range(7)] == [0, 1, 2, 0, 1, 2, 3]
    assert cat[-1][1].item() == 3 and cat[-7][1].item() == 0
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        cat[-8]
    with pytest.raises(IndexError):
        cat[7]
    both = a + b
    assert isinstance(both, ConcatDataset) and len(both) == 7
    assert labels(DataLoader(both, batch_size=4)) == [[0, 1, 2, 0], [1, 2, 3]]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])


class Stream(IterableDataset):
    def __init__(self, n, with_len=True):
        self.n = n
        self.with_len = with_len

    def __iter__(self):
        return iter(float(i) for i in range(self.n))

    def __len__(self):
        if not self.with_len:
            raise TypeError("no len")
        return self.n


def test_iterable_dataset_batches_in_its_own_order():
    loader = DataLoader(Stream(7), batch_size=3)
    batches = [b.tolist() for b in loader]
    assert batches == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0]] and len(loader) == 3
    assert next(iter(loader)).dtype == tb.float64
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2
    assert list(DataLoader(Stream(3), batch_size=None)) == [0.0, 1.0, 2.0]
    assert [b.tolist() for b in DataLoader(Stream(4, with_len=False), batch_size=2)] == [[0, 1], [2, 3]]


@pytest.mark.parametrize("kwargs, message", [
    ({"shuffle": True}, "DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=True"),
    ({"sampler": [0]}, "DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=[0]"),
    ({"batch_sampler": [[0]]}, "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                               "but got batch_sampler=[[0]]"),
])
def test_iterable_dataset_refuses_samplers_and_shuffle(kwargs, message):
    with pytest.raises(ValueError) as err:
        DataLoader(Stream(3), **kwargs)
    assert str(err.value) == message
    DataLoader(Stream(3), shuffle=False)


def test_chain_dataset_and_the_iterable_base():
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, ChainDataset) and len(chain) == 5 and list(chain) == [0.0, 1.0, 0.0, 1.0, 2.0]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([make_dataset(2)]))
    with pytest.raises(NotImplementedError):
        iter(IterableDataset())
    assert isinstance(Stream(1), Dataset)
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([make_dataset(2), Stream(2)])
