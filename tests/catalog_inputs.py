"""A typical valid input for every layer type, for tests that build each one."""

from __future__ import annotations

from designer.graph import FLOAT, LONG, TensorSpec

T = TensorSpec

TYPICAL_INPUTS: dict[str, list[TensorSpec]] = {
    "Output": [T((10,))],
    "Linear": [T((12,))],
    "Flatten": [T((3, 4, 4))],
    "Reshape": [T((64,))],
    "Permute": [T((5, 7))],
    "Identity": [T((6,))],
    "Dropout": [T((6,))],
    "Embedding": [T((9,), LONG)],
    "PReLU": [T((4, 5, 5))],
    "Softmax": [T((10,))],
    "LogSoftmax": [T((10,))],
    "Conv1d": [T((3, 20))],
    "Conv2d": [T((3, 10, 10))],
    "ConvTranspose2d": [T((4, 5, 5))],
    "MaxPool1d": [T((3, 20))],
    "MaxPool2d": [T((3, 10, 10))],
    "AvgPool2d": [T((3, 10, 10))],
    "AdaptiveAvgPool2d": [T((3, 10, 10))],
    "GlobalAvgPool": [T((3, 10, 10))],
    "Upsample": [T((3, 5, 5))],
    "ReduceMean": [T((3, 5, 6))],
    "ReduceMax": [T((3, 5, 6))],
    "Dropout2d": [T((3, 5, 5))],
    "Scale": [T((6,))],
    "BatchNorm1d": [T((6,))],
    "BatchNorm2d": [T((3, 6, 6))],
    "LayerNorm": [T((5, 8))],
    "GroupNorm": [T((8, 4, 4))],
    "RNN": [T((7, 5))],
    "LSTM": [T((7, 5))],
    "GRU": [T((7, 5))],
    "MultiheadAttention": [T((7, 16))],
    "TransformerEncoderLayer": [T((7, 16))],
    "Add": [T((4, 5, 5)), T((4, 5, 5))],
    "Multiply": [T((4, 5, 5)), T((4, 1, 1))],
    "Concat": [T((4, 5, 5)), T((2, 5, 5))],
    "Mean": [T((6,)), T((6,)), T((6,))],
}
ACTIVATION_INPUT = [T((3, 6))]
TYPICAL_PARAMS: dict[str, dict] = {
    "Reshape": {"shape": [4, 4, 4]},
    "Permute": {"dims": [0, 2, 1]},
    "Embedding": {"num_embeddings": 20, "embedding_dim": 8},
}


def typical_inputs(type_name: str) -> list[TensorSpec]:
    return TYPICAL_INPUTS.get(type_name, ACTIVATION_INPUT)


__all__ = ["FLOAT", "LONG", "TYPICAL_INPUTS", "TYPICAL_PARAMS", "typical_inputs"]
