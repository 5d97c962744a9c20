from __future__ import annotations

import numpy as np
import pytest

from models.knowledge_tracing import data


def test_parse_accepts_trailing_commas_and_rejects_mismatches() -> None:
    learners = data.parse_lines(["3", "4,4,7,", "1,0,1,", "1", "2", "0"])
    assert [len(learner.skills) for learner in learners] == [3, 1]
    assert learners[0].skills.tolist() == [4, 4, 7]
    with pytest.raises(ValueError, match="announced"):
        data.parse_lines(["3", "4,4", "1,0"])


def test_split_is_by_learner_and_reproducible() -> None:
    learners = data.load_file(data.TRAIN_FILE, limit=100)
    train, validation = data.split_learners(learners, 0.2, seed=7)
    again, _ = data.split_learners(learners, 0.2, seed=7)
    assert len(train) + len(validation) == 100 and len(validation) == 20
    assert [len(x.skills) for x in train] == [len(x.skills) for x in again]


def test_windows_chunk_long_learners_and_shift_inputs() -> None:
    learner = data.Learner(np.arange(5, dtype=np.int32) % 3, np.array([1, 0, 1, 1, 0], np.int32))
    windows = data.make_windows([learner], max_length=3)
    assert len(windows) == 2  # 5 attempts -> 3 + 2
    assert windows.tokens[0].tolist() == [data.START_TOKEN, 2 + 0 * 2 + 1, 2 + 1 * 2 + 0]
    assert windows.queries[0].tolist() == [0, 1, 2]
    assert windows.weights[1].tolist() == [1, 1, 0]
    assert windows.scored[1].tolist() == [0, 1, 0]
