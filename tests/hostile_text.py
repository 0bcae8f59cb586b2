"""Hostile names and ids for the generators of the hostile-input tests (a plain
module: conftest names clash between folders)."""

from __future__ import annotations

import builtins
import keyword

from hypothesis import strategies as st

from designer.compile.names import GENERATED_NAMES, MODULE_ATTRIBUTES

# Text that broke generated source or its file before: keywords, quotes that
# close a literal and run code, NUL, lone surrogates, line breaks, backslashes.
HOSTILE_NAMES = [
    "None",
    "True",
    "F",
    "Path",
    "torch",
    "",
    " ",
    "a\x00b",
    "a\ud800b",
    "\udcff",
    "x\n",
    "\r\n\t",
    "\\",
    "x\\",
    '"',
    '"""',
    "'''",
    '"""; import os; os.system("touch PWNED") #',
    "'); __import__('os').system('touch PWNED'); ('",
    "\\N{",
    "\\x",
    "{0}",
    "%s",
    "\u2028",
    "\ufeff",
    "ﬁ",
    "𝔉",
    "9lives",
]
# Ids the graph takes that name something generated code or nn.Module uses.
HOSTILE_IDS = sorted(
    GENERATED_NAMES
    | MODULE_ATTRIBUTES
    | {name for name in dir(builtins) if name.isidentifier() and not keyword.iskeyword(name)}
    | {"__class__", "__init__", "__name__", "__file__", "__builtins__", "__dict__", "_", "__", "___", "Network", "NoneNetwork"}
    | {"layer_", "layer__", "input1_", "dense1", "output1_"}
)

any_text = st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates included
names = st.one_of(st.sampled_from(HOSTILE_NAMES), any_text)
legal_ids = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
node_ids = st.one_of(
    st.sampled_from(HOSTILE_IDS), legal_ids, any_text, st.sampled_from(HOSTILE_NAMES), st.sampled_from(["a" * 100, "a" * 101])
)
