"""Neural-network building blocks: Module, Parameter, layers, activations, losses, init, functional.

Where PyTorch has the same name, the behaviour is PyTorch's (registration order, state_dict keys,
default initialisation, loss formulas and reductions, error types).
"""

from . import functional, init, utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .layers import Dropout, Flatten, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .network import TwoLayerNet
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ModuleList", "Identity", "Flatten", "Dropout", "ReLU",
           "Sigmoid", "Tanh", "LeakyReLU", "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "CrossEntropyLoss",
           "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "TwoLayerNet", "functional", "init", "utils"]
