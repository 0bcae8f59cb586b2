"""Test configuration: offscreen Qt, deterministic hypothesis, shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHONHASHSEED", "0")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# HYPOTHESIS_PROFILE=deep: a long randomised search (10,000 examples per property),
# run by hand after changing a shape rule, a loader or the code generator.
settings.register_profile("deep", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from paths import ROOT, SAMPLES  # noqa: E402, F401 - re-exported for older tests


@pytest.fixture
def one_torch_thread():
    """Tiny models gain nothing from threads, and under pytest-xdist the
    workers' thread pools fight over the cores (runs get several times
    slower). Test folders that train use it automatically."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def samples_dir() -> Path:
    return ROOT / "samples"


@pytest.fixture(autouse=True)
def _runs_of_samples_kept_apart(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Training records its run beside the project (designer.runs): a test that trains one
    of the repository's samples in place keeps those runs in a folder of its own, so the
    repository stays clean and no test sees another's runs."""
    from designer.runs import layout

    beside = layout.runs_folder
    samples = (ROOT / "samples").resolve()
    folder: list[Path] = []

    def runs_folder(project_path: str | os.PathLike[str]) -> Path:
        path = Path(project_path)
        if path.resolve().parent != samples:
            return beside(path)
        if not folder:
            folder.append(tmp_path_factory.mktemp("sample-runs"))
        return folder[0] / f"{path.stem}{layout.RUNS_SUFFIX}"

    monkeypatch.setattr(layout, "runs_folder", runs_folder)
