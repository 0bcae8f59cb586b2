"""Reference architectures written out by hand (torchvision's wheels do not
load against the CPU torch the tests use): the shapes of ResNet-18,
MobileNetV2 and VGG at small widths, an LSTM classifier and a small
Transformer encoder. Each comes with an example input."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


class ResNet18(nn.Module):
    """torchvision's resnet18 layout (2-2-2-2 basic blocks) at a quarter of the width."""

    def __init__(self, classes: int = 10, width: int = 16) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, inplanes = [], width
        for index, (planes, stride) in enumerate([(width, 1), (2 * width, 2), (4 * width, 2), (8 * width, 2)], start=1):
            layers.append((f"layer{index}", nn.Sequential(BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes))))
            inplanes = planes
        for name, layer in layers:
            setattr(self, name, layer)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, out: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = inp * expand
        self.use_residual = stride == 1 and inp == out
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True)]
        layers += [
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),  # depthwise
            nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, out, 1, bias=False),
            nn.BatchNorm2d(out),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2's layout (inverted residuals, depthwise convolutions, ReLU6), shortened."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        settings = [(1, 8, 1, 1), (6, 12, 2, 2), (6, 16, 2, 2), (6, 24, 1, 1)]  # expand, channels, repeats, stride
        layers: list[nn.Module] = [nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6(inplace=True)]
        channels = 8
        for expand, out, repeats, stride in settings:
            for index in range(repeats):
                layers.append(InvertedResidual(channels, out, stride if index == 0 else 1, expand))
                channels = out
        layers += [nn.Conv2d(channels, 64, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU6(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


class VGG(nn.Module):
    """VGG's layout: 3x3 convolutions in stages, max pooling, a classifier with dropout."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for stage in [[8, 8], [16, 16], [32, 32, 32]]:
            for out in stage:
                layers += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU(inplace=True)]
                channels = out
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Linear(32 * 4 * 4, 64), nn.ReLU(True), nn.Dropout(), nn.Linear(64, 64), nn.ReLU(True), nn.Dropout(), nn.Linear(64, classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


class LSTMClassifier(nn.Module):
    """Token ids -> embedding -> LSTM -> the last step -> classes."""

    def __init__(self, vocabulary: int = 50, classes: int = 4) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, 16)
        self.lstm = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        steps, _ = self.lstm(self.embedding(tokens))
        return self.head(steps[:, -1])


class TransformerClassifier(nn.Module):
    """Features -> projection -> two Transformer encoder layers -> mean over the steps -> classes."""

    def __init__(self, features: int = 8, classes: int = 3) -> None:
        super().__init__()
        self.project = nn.Linear(features, 32)
        self.encoder1 = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.1, batch_first=True)
        self.encoder2 = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.1, activation="gelu", batch_first=True, norm_first=True)
        self.head = nn.Linear(32, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.encoder2(self.encoder1(self.project(x)))
        pooled = x.mean(dim=1)
        return self.head(pooled)


def randomise_statistics(module: nn.Module) -> nn.Module:
    """BatchNorm statistics other than 0 and 1, so the tests see them carried over."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.BatchNorm2d):
                layer.running_mean.copy_(torch.randn(layer.num_features, generator=generator) * 0.1)
                layer.running_var.copy_(torch.rand(layer.num_features, generator=generator) + 0.5)
    return module.eval()


def reference_nets() -> dict[str, tuple[nn.Module, torch.Tensor]]:
    """name -> (module in eval mode, one example batch)."""
    torch.manual_seed(0)
    return {
        "resnet18": (randomise_statistics(ResNet18()), torch.randn(2, 3, 32, 32)),
        "mobilenet_v2": (randomise_statistics(MobileNetV2()), torch.randn(2, 3, 32, 32)),
        "vgg": (VGG().eval(), torch.randn(2, 3, 32, 32)),
        "lstm_classifier": (LSTMClassifier().eval(), torch.randint(0, 50, (2, 12))),
        "transformer": (TransformerClassifier().eval(), torch.randn(2, 10, 8)),
    }
