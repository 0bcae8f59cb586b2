"""Help texts shown by the Help menu."""

SHORTCUTS = [
    ("Tab", "search and add a layer at the cursor"),
    ("Drag from an output port to an input port", "connect two layers"),
    ("Drag from a connected input port", "pick the connection up: move it, or drop it on empty canvas to remove it"),
    ("Drop a layer on a connection", "insert it between the two ends"),
    ("Wheel", "zoom at the cursor"),
    ("Middle button drag, or Space + drag", "pan"),
    ("Drag on empty canvas", "select with a rubber band"),
    ("F", "fit the design in the window"),
    ("Ctrl+L", "auto-layout"),
    ("Delete / Backspace", "delete the selection"),
    ("Ctrl+C / Ctrl+X / Ctrl+V", "copy, cut, paste (also between windows)"),
    ("Ctrl+D", "duplicate"),
    ("Ctrl+A", "select all"),
    ("F2", "rename the selected layer"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo, redo"),
    ("Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S", "new, open, save, save as"),
]

SHORTCUTS_HTML = "<table>" + "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS) + "</table>"
