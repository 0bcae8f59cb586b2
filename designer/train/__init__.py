"""The headless trainer: loop, metrics, callbacks, checkpoints, devices (no Qt)."""
