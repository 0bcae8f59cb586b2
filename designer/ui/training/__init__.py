"""Live training in the designer: the Training panel and dock, a worker thread
around the Qt-free trainer, pyqtgraph curves, run history and results views."""
