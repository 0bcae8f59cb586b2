"""The Insight panel: every node's output for one sample, weights and neurons,
activation curves, attributions and forward propagation step by step."""
