"""Every name and string the code generator writes: the one sanitiser.

A design's name and node ids come from files and from users, so none of them
reaches generated source as it is. Identifiers are made legal (ASCII letters,
digits and ``_``, not a keyword), unique, and never equal to a name the
generated code uses itself (``torch``, ``F``, ``self``, the ``__main__``
block's ``model``...) or to a builtin; strings are written as ``repr``
literals, which escape quotes, newlines, NUL and lone surrogates alike. So a
hostile name can change what a name reads like, never what the code does.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterable

# Names the generated file binds or reads itself: its imports, the method
# arguments, and the variables of the exported file's __main__ block.
GENERATED_NAMES = frozenset({"torch", "nn", "F", "self", "super", "_", "Path", "load_file", "model", "outputs", "output"})
RESERVED = GENERATED_NAMES | frozenset(dir(builtins)) | frozenset(keyword.kwlist)
# Names nn.Module already uses (its public methods and attributes, as of torch 2.13; a
# test compares this with dir(nn.Module)): a layer stored under one of them would
# shadow or break the method, so such a node's attribute gets a trailing underscore.
MODULE_ATTRIBUTES = frozenset(
    """
    T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches
    eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict
    modules mtia named_buffers named_children named_modules named_parameters parameters register_backward_hook
    register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook register_load_state_dict_pre_hook
    register_module register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu zero_grad
    """.split()  # noqa: SIM905 - a word list reads better than 54 quoted lines
)
MAX_CLASS_NAME = 64  # characters: a class name is read, not stored
DEFAULT_CLASS_NAME = "Network"
_NOT_NAME_CHARACTER = re.compile(r"[^A-Za-z0-9_]")
_WORD = re.compile(r"[A-Za-z0-9]+")


def identifier(text: str, fallback: str = "x") -> str:
    """``text`` as a legal ASCII identifier: other characters become ``_`` and
    a leading digit (or nothing at all) gets ``fallback`` in front. ASCII only,
    because Python folds some letters (NFKC), which could make two names one."""
    name = _NOT_NAME_CHARACTER.sub("_", text)
    if not name or name[0].isdigit():
        name = fallback + name
    return name


def is_variable_clash(name: str) -> bool:
    """True for a name a local or module-level variable must not take."""
    return name in RESERVED or name.startswith("__")  # __names are mangled inside a class body


def is_attribute_clash(name: str) -> bool:
    """True for a name a layer attribute (``self.NAME``) must not take."""
    return name in MODULE_ATTRIBUTES or name.startswith("_")  # nn.Module keeps its internals under _names


def unique_names(wanted: Iterable[str], clashes: Callable[[str], bool], taken: Iterable[str] = ()) -> dict[str, str]:
    """Each wanted text -> a legal, unique name that ``clashes`` accepts and
    that is not in ``taken``. A legal name that clashes with nothing stays as
    it is (so weights keep their keys); the others get trailing underscores,
    or a ``layer`` prefix when they start with ``_``."""
    wanted = list(dict.fromkeys(wanted))
    used = set(taken)
    keep = {text for text in wanted if identifier(text) == text and not keyword.iskeyword(text) and not clashes(text) and text not in used}
    used |= keep
    names: dict[str, str] = {}
    for text in wanted:
        if text in keep:
            names[text] = text
            continue
        base = identifier(text)
        name = f"layer{base}" if base.startswith("_") else base
        while name in used or clashes(name) or keyword.iskeyword(name):
            name += "_"
        used.add(name)
        names[text] = name
    return names


def class_name(text: str) -> str:
    """A design's name as a CamelCase class name: ``"xor mlp"`` -> ``XorMlp``;
    one that would shadow a builtin or a name the generated code uses (``None``,
    ``F``, ``Path``) gets ``Network`` appended; at most ``MAX_CLASS_NAME`` long."""
    words = _WORD.findall(text)
    candidate = "".join(w[:1].upper() + w[1:] for w in words)[:MAX_CLASS_NAME]
    if not candidate or candidate[0].isdigit():
        candidate = (DEFAULT_CLASS_NAME + candidate)[:MAX_CLASS_NAME]
    if candidate in RESERVED:
        candidate += DEFAULT_CLASS_NAME
    return candidate


def literal(text: str) -> str:
    """A Python string literal whose value is ``text``: ``repr`` escapes quotes,
    backslashes, line breaks, NUL and lone surrogates, so the literal is one
    line of encodable source whatever ``text`` holds. In double quotes, like
    the rest of the generated code, when the text holds no quote at all
    (repr then chose single quotes and escaped nothing between them)."""
    written = repr(str(text))
    if written.startswith("'") and "'" not in text and '"' not in text:
        return f'"{written[1:-1]}"'
    return written


def docstring(text: str) -> str:
    """A docstring literal for ``text``: in triple quotes when ``text`` needs no
    escaping (the readable common case), otherwise :func:`literal`."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"""{text}"""'
    return literal(text)


def plain_text(text: str) -> str:
    """``text`` with anything UTF-8 cannot encode (lone surrogates) escaped,
    for metadata written into weights and model files."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
