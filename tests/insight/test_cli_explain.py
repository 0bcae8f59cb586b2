"""``designer explain``: a PNG that opens, JSON that parses, one line and exit 2 for each refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from paths import sample
from PIL import Image

from designer.cli import main
from designer.insight import Inspector
from designer.project import load_project
from designer.project.weights import save_weights

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _with_weights(tmp_path: Path, stem: str) -> Path:
    """A copy of a sample with seeded weights saved beside it as NAME.safetensors."""
    path = Path(shutil.copy(sample(stem), tmp_path / f"{stem}.nnd"))
    project = load_project(path)
    save_weights(path.with_suffix(".safetensors"), Inspector(project, 0).module.state_dict(), project.graph.fingerprint())
    return path


@pytest.fixture
def digits(tmp_path: Path) -> Path:
    return _with_weights(tmp_path, "digits_cnn")


@pytest.mark.parametrize("method", ["saliency", "integrated-gradients", "occlusion", "gradcam"])
def test_writes_a_png_of_an_image_attribution(digits: Path, capsys, method: str) -> None:
    picture = digits.with_name(f"{method}.png")
    code, out, err = run(capsys, "explain", str(digits), "--sample", "3", "--method", method, "--out", str(picture))
    assert code == 0, err
    assert out.startswith(f"wrote {picture} ({method} on sample 3: predicted ") and ", true " in out
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.size[0] > 400


@pytest.mark.parametrize("stem", ["cancer_dropout", "waves_gru", "tokens_transformer"])
def test_tabular_and_sequence_pictures(tmp_path: Path, capsys, stem: str) -> None:
    path = _with_weights(tmp_path, stem)
    picture = tmp_path / f"{stem}.png"
    code, _, err = run(capsys, "explain", str(path), "--method", "occlusion", "--out", str(picture))
    assert code == 0, err
    with Image.open(picture) as image:
        image.verify()


def test_json_holds_the_numbers(digits: Path, capsys) -> None:
    code, out, err = run(capsys, "explain", str(digits), "--sample", "5", "--target", "2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["method"] == "integrated-gradients" and result["sample"] == 5 and result["target"] == 2
    assert result["kind"] == "image" and len(result["by_position"]) == 8 and len(result["output"]) == 10
    assert result["convergence_delta"] < 0.05 and result["true"] in range(10)


def test_json_names_the_features_of_tabular_data(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "explain", str(_with_weights(tmp_path, "cancer_dropout")), "--method", "saliency", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["feature_names"][:2] == ["mean radius", "mean texture"] and len(result["by_position"]) == 30
    assert result["true_name"] in ("malignant", "benign")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "gradcam", "--node", "dense1"], "gradcam needs a convolution node; dense1 is a Linear (convolutions: conv1, conv2)"),
        (["--method", "gradcam", "--node", "conv9"], "there is no node 'conv9' in Digits CNN"),
        (["--sample", "5000"], "sample 5000 is out of range: the validation split has 359 samples (0 to 358)"),
        (["--sample", "-1"], "sample -1 is out of range"),
        (["--target", "10"], "target 10 is out of range: the output has 10 values (0 to 9)"),
        (["--target", "seven"], "--target seven: no such class (classes: 0, 1, 2"),
        (["--weights", "missing.safetensors"], "missing.safetensors: no such weights file"),
    ],
)
def test_refusals_are_one_line_and_exit_2(digits: Path, capsys, args: list[str], message: str) -> None:
    code, out, err = run(capsys, "explain", str(digits), *args, "--out", str(digits.with_name("x.png")))
    assert code == 2 and out == ""
    assert err.startswith("designer: error: ") and message in err and err.count("\n") == 1


def test_weights_of_another_design_are_refused(digits: Path, tmp_path: Path, capsys) -> None:
    other = _with_weights(tmp_path, "spirals_mlp").with_suffix(".safetensors")
    code, _, err = run(capsys, "explain", str(digits), "--weights", str(other), "--json")
    assert code == 2 and "trained for a different version of the design" in err and err.count("\n") == 1


def test_without_weights_it_says_to_train_first(tmp_path: Path, capsys) -> None:
    path = Path(shutil.copy(sample("xor_mlp"), tmp_path / "xor.nnd"))
    code, _, err = run(capsys, "explain", str(path), "--json")
    assert code == 2
    assert err == f"designer: error: {path}: no trained weights (xor.safetensors): run 'designer train {path}' first, or pass --weights\n"


def test_needs_an_output(digits: Path, capsys) -> None:
    code, _, err = run(capsys, "explain", str(digits))
    assert code == 2 and "give --out PICTURE.png, or --json" in err
