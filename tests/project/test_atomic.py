"""Atomic writes: the temporary file lies beside the target (a rename across
filesystems would fail), gets the mode a plain write would give, and never
stays behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from designer.graph import Graph
from designer.project import Project, save_project
from designer.project.atomic import write_atomic, write_text_atomic


def test_the_temporary_file_is_written_beside_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "folder" / "design.nnd"
    written: list[Path] = []
    renamed: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        renamed.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_atomic(target, lambda tmp: (written.append(tmp), tmp.write_text("new", encoding="utf-8")))
    (tmp,) = written
    assert tmp.parent == target.parent and tmp.name.startswith(f"design.nnd.{os.getpid()}-") and tmp.name.endswith(".designer-saving")
    assert renamed == [(tmp, target)]
    assert target.read_text(encoding="utf-8") == "new" and not tmp.exists()


def test_a_project_save_renames_within_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed: list[tuple[Path, Path]] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renamed.append((Path(src), Path(dst))), real_replace(src, dst))[1])
    path = save_project(Project(Graph("beside")), tmp_path / "p.nnd")
    assert [(src.parent, dst) for src, dst in renamed] == [(tmp_path, path)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nnd"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old", encoding="utf-8")

    def fail(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_new_file_gets_the_plain_mode_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    fresh = tmp_path / "fresh.txt"
    write_text_atomic(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    kept = tmp_path / "kept.txt"
    kept.write_text("x", encoding="utf-8")
    kept.chmod(0o640)
    write_text_atomic(kept, "y")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text(encoding="utf-8") == "y"
