"""Optimizers (SGD, Momentum, AdaGrad, RMSprop, Adam, AdamW, Adadelta, Adamax, NAdam, RAdam), learning-rate
schedulers and ``ema``.

Each optimizer follows PyTorch's ``torch.optim`` (names, defaults, update formulas in PyTorch's order of
operations, state names, ``state_dict`` layout); ``Momentum`` and ``ema`` are the tutorial's own.
"""

from tinygrad_bp.optim import lr_scheduler
from tinygrad_bp.optim.adadelta import Adadelta
from tinygrad_bp.optim.adagrad import Adagrad
from tinygrad_bp.optim.adam import Adam, AdamW
from tinygrad_bp.optim.adamax import Adamax
from tinygrad_bp.optim.ema import ema
from tinygrad_bp.optim.momentum import Momentum
from tinygrad_bp.optim.nadam import NAdam
from tinygrad_bp.optim.optimizer import Optimizer
from tinygrad_bp.optim.radam import RAdam
from tinygrad_bp.optim.rmsprop import RMSprop
from tinygrad_bp.optim.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Momentum", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam",
    "lr_scheduler", "ema",
]
