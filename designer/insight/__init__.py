"""Looking inside a network (pure torch, no Qt).

Every node's output for chosen samples, the weights and biases of a node and
of one neuron, attributions (captum), and the gradient and activation probes
that the trainer's callbacks carry. The window and the command line both use
this package; it never imports Qt.
"""
