"""Workload sizes and shared data, identical for every contender.

Each workload function in `workloads_numpy.py` and `workloads_torchlike.py` takes the
parameters below and returns a dict with `seconds` (the timed region) and `check`
(a number that must agree across contenders: a final loss or a gradient sum).
"""

# W1/W2: the tutorial's linear regression loop.
N_SAMPLES = 1000
N_FEATURES = 10
LR_SGD = 0.01
W1_STEPS = 2000          # batch_size=1 -> 2 epochs of 1000 steps
W2_STEPS = 1000          # batch_size=100, shuffle=True -> 100 epochs of 10 steps
W2_BATCH = 100

# W3: MLP 784-256-10, ReLU, CrossEntropyLoss, Adam(lr=1e-3), batch 128, float32.
W3_IN, W3_HIDDEN, W3_OUT = 784, 256, 10
W3_BATCH = 128
W3_BATCHES = 10          # the data set: 10 batches, cycled
W3_STEPS = 200
LR_ADAM = 1e-3

# W4: per-op overhead, a 200-op chain (y*w, y+c, tanh) on 16 elements, forward + backward.
W4_OPS = 200
W4_SIZE = 16
W4_WARMUP = 20
W4_ITERS = 300

# W5: a 100,000-op chain (y*w, y+c, tanh) on one element, forward + backward.
W5_OPS = 100_000

# W7: memory growth over a training loop: RSS after W7_LONG steps minus RSS after W7_SHORT steps of W2's loop.
W7_SHORT = 100
W7_LONG = 1000

# W8: LeNet-style CNN step: Conv 1->6 5x5, max-pool 2, Conv 6->16 5x5, max-pool 2, Linear 256-120-84-10 with ReLU,
# batch 32 of 1x28x28, CrossEntropyLoss, SGD.
W8_BATCH = 32
W8_BATCHES = 4           # the data set: 4 batches, cycled
W8_STEPS = 60
W8_LR = 0.01
W8_LAYERS = ((6, 1, 5, 5), (16, 6, 5, 5), (120, 256), (84, 120), (10, 84))  # weight shapes in model order

# W9: makemore-style MLP step: Embedding 27x10, context 3, Linear 30->200 (no bias, as before a BatchNorm in
# makemore), BatchNorm1d(200), tanh, Linear 200->27, cross-entropy; batch 32; SGD.
W9_VOCAB, W9_EMBED, W9_CONTEXT, W9_HIDDEN = 27, 10, 3, 200
W9_BATCH = 32
W9_BATCHES = 10
W9_STEPS = 400
W9_LR = 0.1

# W10: LSTM(input 32, hidden 64, 1 layer) over 32 steps, batch 16 (sequence first), forward + backward of out.sum().
W10_INPUT, W10_HIDDEN, W10_SEQ, W10_BATCH = 32, 64, 32, 16
W10_ITERS = 20

# --quick divides the step counts by this (ratios stay per step; absolute times shrink).
QUICK_DIVISOR = 4


def rss_kb() -> int:
    """The resident set size of this process now, in KiB (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Clock:
    """Wall time (perf_counter) and this process's CPU time (process_time) since construction.

    Every run is single-threaded (1 BLAS thread, torch.set_num_threads(1)), so on an idle machine the
    two agree; on a shared machine CPU time leaves out the time other processes held the CPU.
    """

    def __init__(self) -> None:
        import time

        self._time = time
        self.cpu0 = time.process_time()
        self.wall0 = time.perf_counter()

    def stop(self) -> dict:
        wall = self._time.perf_counter() - self.wall0
        cpu = self._time.process_time() - self.cpu0
        return {"seconds": wall, "cpu_seconds": cpu}


def scaled(n: int, quick: bool) -> int:
    """The step count `n`, divided by QUICK_DIVISOR under --quick (at least 1)."""
    return max(1, n // QUICK_DIVISOR) if quick else n


def linear_data():
    """W1/W2 data: X (1000, 10) float32, y = X @ w + 0.5 + noise, shape (1000, 1), and initial weights."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES), dtype=np.float32)
    w_true = rng.standard_normal((N_FEATURES, 1), dtype=np.float32)
    y = (X @ w_true + 0.5 + 0.1 * rng.standard_normal((N_SAMPLES, 1), dtype=np.float32)).astype(np.float32)
    bound = 1.0 / np.sqrt(N_FEATURES)       # PyTorch's nn.Linear default init range
    W0 = rng.uniform(-bound, bound, (1, N_FEATURES)).astype(np.float32)
    b0 = rng.uniform(-bound, bound, (1,)).astype(np.float32)
    return X, y, W0, b0


def mlp_data():
    """W3 data: X (1280, 784) float32, integer labels (1280,), and initial weights in Linear's layout."""
    import numpy as np

    rng = np.random.default_rng(1)
    n = W3_BATCH * W3_BATCHES
    X = rng.standard_normal((n, W3_IN), dtype=np.float32)
    labels = rng.integers(0, W3_OUT, n).astype(np.int64)
    params = []
    for fan_in, fan_out in ((W3_IN, W3_HIDDEN), (W3_HIDDEN, W3_OUT)):
        bound = 1.0 / np.sqrt(fan_in)
        W = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
        params += [W, b]
    return X, labels, params


def chain_data(size: int):
    """W4/W5 leaves: x, w in [0.5, 1.5), c in [-0.1, 0.1), float32 of `size` elements."""
    import numpy as np

    rng = np.random.default_rng(2)
    x = rng.uniform(-1.0, 1.0, size).astype(np.float32)
    w = rng.uniform(0.5, 1.5, size).astype(np.float32)
    c = rng.uniform(-0.1, 0.1, size).astype(np.float32)
    return x, w, c


def _uniform_params(rng, shapes: tuple) -> list:
    """Weight and bias per layer ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's Linear/Conv default range),
    in the order model.parameters() yields them (weight, bias, weight, bias, ...)."""
    import numpy as np

    params = []
    for shape in shapes:
        fan_in = int(np.prod(shape[1:]))
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, shape).astype(np.float32))
        params.append(rng.uniform(-bound, bound, shape[:1]).astype(np.float32))
    return params


def lenet_data():
    """W8 data: images (128, 1, 28, 28) float32, labels (128,) int64, and the initial parameters."""
    import numpy as np

    rng = np.random.default_rng(8)
    n = W8_BATCH * W8_BATCHES
    X = rng.standard_normal((n, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, n).astype(np.int64)
    return X, labels, _uniform_params(rng, W8_LAYERS)


def makemore_data():
    """W9 data: contexts (320, 3) int64 in [0, 27), next characters (320,), and the initial parameters in
    model order: embedding (27, 10), Linear 30->200 weight, BatchNorm weight and bias, Linear 200->27 weight, bias."""
    import numpy as np

    rng = np.random.default_rng(9)
    n = W9_BATCH * W9_BATCHES
    X = rng.integers(0, W9_VOCAB, (n, W9_CONTEXT)).astype(np.int64)
    Y = rng.integers(0, W9_VOCAB, n).astype(np.int64)
    emb = rng.standard_normal((W9_VOCAB, W9_EMBED), dtype=np.float32)
    w1 = _uniform_params(rng, ((W9_HIDDEN, W9_EMBED * W9_CONTEXT),))[0]
    gamma, beta = np.ones(W9_HIDDEN, np.float32), np.zeros(W9_HIDDEN, np.float32)
    w2, b2 = _uniform_params(rng, ((W9_VOCAB, W9_HIDDEN),))
    return X, Y, [emb, w1, gamma, beta, w2, b2]


def lstm_data():
    """W10 data: input (32, 16, 32) float32 (sequence first) and the initial LSTM parameters in model order
    (weight_ih (256, 32), weight_hh (256, 64), bias_ih, bias_hh), U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    import numpy as np

    rng = np.random.default_rng(10)
    x = rng.standard_normal((W10_SEQ, W10_BATCH, W10_INPUT), dtype=np.float32)
    k = 1.0 / np.sqrt(W10_HIDDEN)
    shapes = ((4 * W10_HIDDEN, W10_INPUT), (4 * W10_HIDDEN, W10_HIDDEN), (4 * W10_HIDDEN,), (4 * W10_HIDDEN,))
    return x, [rng.uniform(-k, k, s).astype(np.float32) for s in shapes]
