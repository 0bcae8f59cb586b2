"""Help texts shown by the Help menu."""

# (keys, what they do). Keys are written as QKeySequence reads them, joined
# by " / " where one entry lists several; tests/ui/test_shortcuts.py presses
# every one of them.
SHORTCUTS = [
    ("Tab", "search and add a layer at the cursor"),
    ("Select a layer, then add one", "the new layer is wired after it and placed to its right"),
    ("Drag from an output port to an input port", "connect two layers"),
    ("Ctrl+E", "connect the two selected layers (the left one feeds the right one)"),
    ("Ctrl+B", "make a block of the selected layers (double-click a block to open it)"),
    ("Drag from a connected input port", "pick the connection up: move it, or drop it on empty canvas to remove it"),
    ("Drop a layer on a connection", "insert it between the two ends"),
    ("Esc", "cancel the connection being drawn"),
    ("Wheel", "zoom at the cursor"),
    ("Middle button drag, or Space + drag", "pan"),
    ("Drag on empty canvas", "select with a rubber band"),
    ("F", "fit the design in the window"),
    ("Ctrl++ / Ctrl+=", "zoom in"),
    ("Ctrl+- / Ctrl+0", "zoom out, actual size"),
    ("Ctrl+L", "auto-layout (long designs wrap to fit the canvas)"),
    ("Delete / Backspace", "delete the selection"),
    ("Ctrl+C / Ctrl+X / Ctrl+V", "copy, cut, paste (also between windows)"),
    ("Ctrl+D", "duplicate"),
    ("Ctrl+A", "select all"),
    ("F2", "rename the selected layer"),
    ("Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y", "undo, redo, redo"),
    ("Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S", "new, open, save, save as"),
    ("F5 / F6 / Shift+F5", "train, pause or resume, stop"),
    ("Ctrl+I", "show or hide the Insight panel"),
    ("F1", "this list"),
    ("Ctrl+Q", "quit"),
]

SHORTCUTS_HTML = "<table>" + "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS) + "</table>"

GUIDE_HTML = """
<h2>The ideas on screen</h2>
<p><b>Layer.</b> One step of the computation, a box on the canvas. A layer
takes a tensor (an array of numbers with a shape such as <i>N x 1 x 8 x 8</i>:
N samples of one 8x8 grey image) and gives another. Layers such as Linear and
Conv2d hold <i>weights</i>: the numbers training adjusts.</p>
<p><b>Shape.</b> Written on every wire. <i>N</i> is the batch: how many samples
go through together. A layer accepts only some shapes; when a wire brings the
wrong one, the node turns red and says what to change.</p>
<p><b>Activation.</b> A layer without weights that bends its input, such as
ReLU (negative values become 0). Without activations, a stack of Linear
layers is no better than one Linear layer: they let the network draw curved
boundaries between classes.</p>
<p><b>Loss.</b> One number saying how wrong the network's outputs are on a
batch: cross-entropy for classes, mean squared error for quantities.
Training changes the weights a little, against the gradient of the loss, so
the loss goes down. The <i>learning rate</i> is the size of those steps.</p>
<p><b>Epoch.</b> One pass over all the training samples. The curves show the
loss after each batch (faint), smoothed, and on the validation data after
each epoch.</p>
<p><b>Validation.</b> Samples held out from training, to measure how well the
network does on data it has not learned from.</p>
<p><b>Overfitting.</b> When the training loss keeps falling but the validation
loss rises: the network is memorising its training samples instead of
learning the pattern. Remedies: fewer weights, Dropout, weight decay, more
data, or stopping early (keep the weights of the best validation epoch).</p>
"""
