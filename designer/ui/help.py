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
<h3>Looking inside (Watch it learn, Insight)</h3>
<p><b>Gradient.</b> How much the loss would change if one number (a weight, or
a value a layer gives) changed a little. Training moves every weight against
its gradient. On the canvas, the bar over each layer is the size of the
gradient reaching it; a wire is blue where the gradient shrinks on its way
back, red where it grows.</p>
<p><b>Backpropagation.</b> How the gradients are found: from the loss backward,
layer by layer, each layer passing on its share (the chain rule). Insight's
Backprop tab walks one sample through it, a layer at a time.</p>
<p><b>Vanishing and exploding gradients.</b> Through many layers the gradient
can shrink to nothing (stacked Sigmoids: the first layers stop learning) or
grow until the loss diverges. Remedies: ReLU, normalisation (BatchNorm), skip
connections; for growth, a lower learning rate or gradient clipping.</p>
<p><b>Dead units.</b> ReLU units whose output is zero for every sample: no
gradient reaches their weights, so they never learn again. Of a convolution,
the unit counted is a channel, a filter whose whole feature map stays zero (a
border the images never fill is no dead filter).</p>
<p><b>Neuron.</b> One unit of a layer: it multiplies each input by a weight,
adds them and its bias (<i>z</i>), and its activation bends the sum.
Insight's Weights tab works one through for the chosen sample.</p>
<p><b>Feature map.</b> A convolution's output for one of its filters: where in
the image the filter found its pattern. First layers find edges and strokes,
deeper ones larger parts.</p>
<p><b>Decision boundary.</b> Where a classifier's answer changes, drawn over the
plane of 2-D data; each hidden unit's output over the same plane shows the
lines and curves it is made of.</p>
<p><b>Attribution.</b> Which parts of the input pushed the answer up or down:
integrated gradients, occlusion (hide a part, see the answer change) and
Grad-CAM (where a convolution looked), in Insight's Explain tab.</p>
"""
