"""The samples written by hand, the way a PyTorch user would write them
(functional activations, a residual block as a method). Attribute names match
the node ids so both load the same state_dict. Used by the tests and by
benchmarks/compile_vs_handwritten.py."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SpiralsMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense1 = nn.Linear(2, 64)
        self.dense2 = nn.Linear(64, 64)
        self.dense3 = nn.Linear(64, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.dense1(x))
        x = F.relu(self.dense2(x))
        return self.dense3(x)


class DigitsCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.dense1 = nn.Linear(32 * 2 * 2, 64)
        self.dense2 = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.dense2(F.relu(self.dense1(x)))


class DigitsPretrain(DigitsCNN):
    """digits_cnn's network for the digits 0-4: five classes."""

    def __init__(self) -> None:
        super().__init__()
        self.dense2 = nn.Linear(64, 5)


class DigitsTransfer(nn.Module):
    """pretrain's convolutions, then a new head straight from the flattened maps."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.head = nn.Linear(32 * 2 * 2, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.head(torch.flatten(x, 1))


class ResidualCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv3, self.bn3 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv4, self.bn4 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv5, self.bn5 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.dense1 = nn.Linear(16, 10)

    def block(self, x: torch.Tensor, first: int) -> torch.Tensor:
        conv_a, bn_a = getattr(self, f"conv{first}"), getattr(self, f"bn{first}")
        conv_b, bn_b = getattr(self, f"conv{first + 1}"), getattr(self, f"bn{first + 1}")
        y = F.relu(bn_a(conv_a(x)))
        return F.relu(bn_b(conv_b(y)) + x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.block(x, 2)
        x = self.block(x, 4)
        x = x.mean(dim=(2, 3))
        return self.dense1(x)


class BasicBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)
        self.conv2, self.bn2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + x)


class ResidualBlocks(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem, self.stem_bn = nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.block1, self.block2, self.block3, self.block4 = (BasicBlock(16) for _ in range(4))
        self.dense1 = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem_bn(self.stem(x)))
        x = self.block4(self.block3(self.block2(self.block1(x))))
        return self.dense1(x.mean(dim=(2, 3)))


class SineLSTM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm1 = nn.LSTM(1, 32, batch_first=True)
        self.dense1 = nn.Linear(32, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm1(x)
        return self.dense1(out[:, -1])


class CancerDropout(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense1 = nn.Linear(30, 128)
        self.dense2 = nn.Linear(128, 128)
        self.dense3 = nn.Linear(128, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.dropout(x, 0.5, self.training)
        x = F.dropout(F.relu(self.dense1(x)), 0.5, self.training)
        x = F.dropout(F.relu(self.dense2(x)), 0.5, self.training)
        return self.dense3(x)


class DigitsAutoencoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.dense1 = nn.Linear(16 * 4 * 4, 12)
        self.dense2 = nn.Linear(12, 16 * 4 * 4)
        self.deconv1 = nn.ConvTranspose2d(16, 1, 2, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        code = self.dense1(torch.flatten(x, 1))
        x = F.relu(self.dense2(code)).view(-1, 16, 4, 4)
        return torch.sigmoid(self.deconv1(x))


class TokensTransformer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed1 = nn.Embedding(32, 32)
        self.encoder1 = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.dense1 = nn.Linear(32, 3)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.encoder1(self.embed1(tokens))
        return self.dense1(x.mean(dim=1))


class WavesGRU(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru1 = nn.GRU(1, 32, batch_first=True)
        self.dense1 = nn.Linear(32, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru1(x)
        return self.dense1(out[:, -1])


class XorMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense1 = nn.Linear(2, 8)
        self.dense2 = nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dense2(torch.sigmoid(self.dense1(x)))


class DeepSigmoid(nn.Module):
    """Eight Sigmoid layers: the sample that shows vanishing gradients."""

    def __init__(self) -> None:
        super().__init__()
        for i in range(1, 9):
            setattr(self, f"dense{i}", nn.Linear(2 if i == 1 else 32, 32))
        self.dense9 = nn.Linear(32, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in range(1, 9):
            x = torch.sigmoid(getattr(self, f"dense{i}")(x))
        return self.dense9(x)


HANDWRITTEN: dict[str, type[nn.Module]] = {
    "deep_sigmoid": DeepSigmoid,
    "spirals_mlp": SpiralsMLP,
    "digits_cnn": DigitsCNN,
    "digits_pretrain": DigitsPretrain,
    "digits_transfer": DigitsTransfer,
    "residual_cnn": ResidualCNN,
    "residual_blocks": ResidualBlocks,
    "sine_lstm": SineLSTM,
    "cancer_dropout": CancerDropout,
    "digits_autoencoder": DigitsAutoencoder,
    "tokens_transformer": TokensTransformer,
    "waves_gru": WavesGRU,
    "xor_mlp": XorMLP,
}
