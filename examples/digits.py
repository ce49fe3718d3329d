"""A real dataset: scikit-learn's handwritten digits (8×8 images, 10 classes) with the tutorial's network.

1797 images, split 80 / 20 into training and test sets. Each image's 64 pixel values (0..16) are scaled
to [0, 1]; ``nn.TwoLayerNet(64, 64, 10)`` (sigmoid hidden layer, as in the tutorial; logits out) learns
them with mini-batch Adam and cross-entropy, and reaches about 97% accuracy on the test images it
never saw. Needs scikit-learn (in the dev extra: ``pip install -e '.[dev]'``).

Run: ``python examples/digits.py [OUT_DIR]``.
"""

import argparse
from pathlib import Path

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn, optim
from tinygrad_bp.utils.data import DataLoader, TensorDataset


def load(seed=0):
    """(X_train, y_train, X_test, y_test, images_test) as float32 / int64 arrays."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test, _, images_test = train_test_split(
        X, y, digits.images, test_size=0.2, random_state=seed, stratify=y)
    return X_train, y_train, X_test, y_test, images_test


def accuracy(model, X, y):
    with tb.no_grad():
        return float((model(tb.tensor(X)).argmax(dim=1).numpy() == y).mean())


def plot(images, labels, predicted, history, out_dir):
    from matplotlib.figure import Figure

    # 9 in wide, text 11 pt or more: legible at the width a page shows it (docs/make_figures.py checks)
    fig = Figure(figsize=(9, 8), layout="constrained")
    left, right = fig.subfigures(2, 1, height_ratios=[1, 1.25])
    ax = left.subplots()
    ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"], label="training loss")
    ax2 = ax.twinx()
    ax2.plot(np.arange(1, len(history["test_acc"]) + 1), np.array(history["test_acc"]) * 100, "C1",
             label="test accuracy (%)")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title="TwoLayerNet(64, 64, 10) on digits")
    ax2.set(ylabel="test accuracy (%)")
    left.legend(*[a + b for a, b in zip(ax.get_legend_handles_labels(), ax2.get_legend_handles_labels())],
                loc="outside lower center", ncols=2, fontsize=11)
    cells = right.subplots(4, 8)
    for cell, image, label, guess in zip(cells.ravel(), images, labels, predicted):
        cell.imshow(image, cmap="gray_r")
        cell.set_axis_off()
        cell.set_title(f"{guess}" + ("" if guess == label else f" (is {label})"), fontsize=11,
                       color="black" if guess == label else "red")
    right.suptitle("test images and the network's answers")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "digits.png", dpi=100)
    return out_dir / "digits.png"


def main(out_dir=Path(__file__).parent / "out", small=False, epochs=None, seed=0):
    epochs = epochs or (15 if small else 30)
    X_train, y_train, X_test, y_test, images_test = load(seed)
    tb.manual_seed(seed)
    model = nn.TwoLayerNet(64, 64, 10, output_activation=None)  # CrossEntropyLoss applies the softmax
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(tb.tensor(X_train), tb.tensor(y_train)), batch_size=32, shuffle=True)
    history = {"loss": [], "test_acc": []}
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        history["loss"].append(total / len(X_train))
        history["test_acc"].append(accuracy(model, X_test, y_test))
        if epoch % 5 == 4 or epoch == epochs - 1:
            print(f"epoch {epoch + 1:3d}  loss {history['loss'][-1]:.4f}  test accuracy {history['test_acc'][-1]:.2%}")
    train_acc, test_acc = accuracy(model, X_train, y_train), accuracy(model, X_test, y_test)
    print(f"{len(X_train)} training images: {train_acc:.2%}; {len(X_test)} test images: {test_acc:.2%}")
    if out_dir is not None:
        with tb.no_grad():
            predicted = model(tb.tensor(X_test[:32])).argmax(dim=1).numpy()
        print("wrote", plot(images_test[:32], y_test[:32], predicted, history, out_dir))
    return {"train_accuracy": train_acc, "test_accuracy": test_acc, "test_size": len(X_test)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default=Path(__file__).parent / "out")
    main(parser.parse_args().out_dir)
