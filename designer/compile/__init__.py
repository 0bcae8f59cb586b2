"""Graph -> readable PyTorch source -> nn.Module; ONNX and Python export (no Qt)."""
