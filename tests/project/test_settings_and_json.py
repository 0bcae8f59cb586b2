"""A misspelt setting is refused with every setting it could have been, and
the project file writes texts as they are (no escapes for accents)."""

from __future__ import annotations

import pytest

from designer.graph import ParamError
from designer.project.jsonfmt import dumps
from designer.project.settings import TRAINING, data_settings, training_settings


def test_an_unknown_training_setting_lists_the_known_ones() -> None:
    with pytest.raises(ParamError) as caught:
        training_settings({"colour": 1})
    assert caught.value.param == "training.colour"
    assert caught.value.reason == f"unknown setting (known: {', '.join(p.name for p in TRAINING)})"


def test_an_unknown_data_setting_also_lists_the_source_and_its_options() -> None:
    with pytest.raises(ParamError, match=r"^data\.colour: unknown setting \(known: validation_split, .*, source, options, augment\)$"):
        data_settings({"colour": 1})


def test_json_keeps_accents_in_lists_and_values() -> None:
    text = dumps({"names": ["café", "Ω"], "title": "größe"})
    assert text == '{\n  "names": ["café", "Ω"],\n  "title": "größe"\n}'


def test_json_puts_short_lists_on_one_line_and_nested_ones_on_several() -> None:
    assert dumps({"shape": [1, 8, 8], "empty": {}, "rows": [[1, 2], {"a": None}]}) == (
        '{\n  "shape": [1, 8, 8],\n  "empty": {},\n  "rows": [\n    [1, 2],\n    {\n      "a": null\n    }\n  ]\n}'
    )
