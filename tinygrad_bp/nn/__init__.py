"""Neural-network building blocks: Module, Parameter, layers, activations, losses, init, functional.

Where PyTorch has the same name, the behaviour is PyTorch's (registration order, state_dict keys,
default initialisation, loss formulas and reductions, error types).
"""

from . import functional, init, utils
from .activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
)
from .container import ModuleList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Fold, Unfold
from .layers import Dropout, Flatten, Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .network import TwoLayerNet
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d, LayerNorm
from .parameter import Parameter
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, Dropout2d, MaxPool1d, MaxPool2d
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding, EmbeddingBag

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ModuleList", "Identity", "Flatten", "Dropout", "ReLU",
           "Sigmoid", "Tanh", "LeakyReLU", "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "CrossEntropyLoss",
           "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "TwoLayerNet", "functional", "init", "utils",
           "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Dropout2d", "BatchNorm1d", "BatchNorm2d",
           "BatchNorm3d", "Unfold", "Fold", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d",
           "EmbeddingBag", "InstanceNorm1d", "InstanceNorm2d", "ConvTranspose1d", "ConvTranspose2d",
           "LayerNorm", "GroupNorm", "Embedding", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell",
           "GRUCell", "GELU", "SiLU", "Softplus", "ELU", "Hardtanh", "LogSigmoid", "Softsign", "Mish", "SmoothL1Loss",
           "HuberLoss", "KLDivLoss", "MultiMarginLoss", "CosineEmbeddingLoss", "MarginRankingLoss"]
