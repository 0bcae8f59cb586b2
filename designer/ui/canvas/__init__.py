"""The node canvas: scene (follows the model), items, view and gestures."""
