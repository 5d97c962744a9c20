"""The curriculum loads, and an inconsistent one is refused with the entry it names."""

from __future__ import annotations

import copy

import pytest
import yaml

from trading_api.learning import curriculum
from trading_api.learning.curriculum import CurriculumError


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(curriculum.CURRICULUM_FILE.read_text())


def test_shipped_curriculum_is_consistent() -> None:
    loaded = curriculum.load()
    assert len(loaded.lessons) >= 10
    assert all(loaded.items_for_skill(skill) for skill in loaded.skills)


def _first_lesson(raw: dict) -> dict:
    return raw["courses"][0]["lessons"][0]


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda r: _first_lesson(r)["skills"].append("alchemy"), "unknown skill 'alchemy'"),
        (lambda r: _first_lesson(r)["prerequisites"].append("nowhere"), "unknown lesson"),
        (
            lambda r: _first_lesson(r)["prerequisites"].append("order-types"),
            "comes before its prerequisite 'order-types'",
        ),
        (
            lambda r: r["skills"][1].update(model_skill=r["skills"][0]["model_skill"]),
            "share one model skill slot",
        ),
        (lambda r: r["items"][0].update(answer=9), "has no choice 9"),
        (lambda r: r["courses"][1]["lessons"].append(_first_lesson(r)), "defined twice"),
    ],
)
def test_inconsistent_curriculum_is_refused(raw: dict, break_it, message: str) -> None:
    broken = copy.deepcopy(raw)
    break_it(broken)
    with pytest.raises(CurriculumError, match=message):
        curriculum.parse(broken)
