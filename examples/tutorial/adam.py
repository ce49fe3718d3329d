"""Adam (tutorial section 2.5), the tutorial's PyTorch sample with only the imports changed.

The sample's body is wrapped in main(epochs=100) so the tests can run fewer epochs:
    python examples/tutorial/adam.py
"""

import tinygrad_bp as torch
from tinygrad_bp import nn


def main(epochs=100):
    # 定义模型和损失函数
    model = nn.Linear(10, 1)
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)

    # 模拟数据
    X = torch.randn(100, 10)
    y = torch.randn(100, 1)

    # 训练循环
    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = model(X)
        loss = criterion(outputs, y)
        loss.backward()
        optimizer.step()
        print(f'Epoch {epoch}, Loss: {loss.item():.4f}')


if __name__ == "__main__":
    main()
