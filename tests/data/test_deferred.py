"""The data layer imports NumPy and pyarrow when data is first read, not when
it is imported: the window needs the sources' declarations at start, and
those two libraries cost about a tenth of a second."""

from __future__ import annotations

import subprocess
import sys

import numpy

from designer.data.deferred import deferred


def test_importing_the_data_layer_leaves_numpy_and_pyarrow_for_later() -> None:
    code = (
        "import sys, pkgutil, importlib, designer.data\n"
        "for info in pkgutil.iter_modules(designer.data.__path__): importlib.import_module('designer.data.' + info.name)\n"
        "print(' '.join(m for m in ('numpy', 'pyarrow', 'torch', 'sklearn', 'PIL') if m in sys.modules))\n"
        "from designer.data import load_data\n"
        "bundle = load_data({'source': 'spirals', 'options': {'noise': 0.1}})\n"
        "print(type(bundle.train.x).__module__, bundle.spec.input.shape)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.splitlines() == ["", "numpy (2,)"]


def test_a_deferred_module_is_the_module_once_read() -> None:
    np = deferred("numpy")
    assert np.float32 is numpy.float32 and np.linalg is numpy.linalg
    assert "float32" in vars(np)  # kept: the next read is a plain attribute
    assert np.zeros(3).shape == (3,)


def test_a_deferred_module_read_from_several_threads_at_once() -> None:
    """In a fresh interpreter, so that the threads' race is what imports the module."""
    code = (
        "import sys, threading\n"
        "from designer.data.deferred import deferred\n"
        "assert 'fractions' not in sys.modules\n"
        "fractions = deferred('fractions')\n"
        "start = threading.Barrier(8)\n"
        "found = []\n"
        "def read():\n"
        "    start.wait()\n"
        "    found.append(fractions.Fraction)\n"
        "threads = [threading.Thread(target=read) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "import fractions as real\n"
        "print(found == [real.Fraction] * 8)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "True"


def test_a_deferred_module_can_be_copied_and_pickled() -> None:
    import copy
    import pickle

    json = deferred("json")
    for twin in (copy.copy(json), pickle.loads(pickle.dumps(json))):
        assert twin.dumps({"a": 1}) == '{"a": 1}'
