"""A small convolutional network on scikit-learn's handwritten digits (8×8 images, 10 classes).

The PyTorch 60-minute-blitz pattern at digit size: two blocks of Conv2d (3×3, padding 1), BatchNorm2d,
ReLU and MaxPool2d (8×8 → 4×4 → 2×2), then a Linear layer on the flattened features, trained with
mini-batch Adam and cross-entropy. Back-propagation runs through the convolutions (im2col and one
matrix product each), the pooling windows and the batch statistics. On the 360 test images it
never saw it reaches about 98-99% accuracy. Needs scikit-learn (in the dev extra).

Run: ``python examples/cnn_digits.py [--epochs N]``.
"""

import argparse

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn, optim
from tinygrad_bp.utils.data import DataLoader, TensorDataset


def load(seed=0):
    """(X_train, y_train, X_test, y_test): images (N, 1, 8, 8) in [0, 1] as float32, labels int64."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    return X_train, y_train, X_test, y_test


def make_model(width=16):
    """conv-bn-relu-pool twice, then a linear classifier: (N, 1, 8, 8) -> (N, 10) logits."""
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * 2 * 2, 10),
    )


def accuracy(model, X, y):
    model.eval()
    with tb.no_grad():
        predicted = model(tb.tensor(X)).argmax(dim=1).numpy()
    model.train()
    return float((predicted == y).mean())


def main(epochs=10, width=16, seed=0):
    X_train, y_train, X_test, y_test = load(seed)
    tb.manual_seed(seed)
    model = make_model(width)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(tb.tensor(X_train), tb.tensor(y_train)), batch_size=32, shuffle=True)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X_train))
        print(f"epoch {epoch + 1:3d}  loss {losses[-1]:.4f}  test accuracy {accuracy(model, X_test, y_test):.2%}")
    test_acc = accuracy(model, X_test, y_test)
    print(f"{len(X_test)} test images: {test_acc:.2%}")
    return {"test_accuracy": test_acc, "test_size": len(X_test), "losses": losses}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    main(parser.parse_args().epochs)
