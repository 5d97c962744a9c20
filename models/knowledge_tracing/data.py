"""The ASSISTments skill-builder data: parsing, a learner-level split, windows and tf.data.

A learner is a time-ordered sequence of (skill, correct) attempts. The models read, at each
position ``t`` of a window, the attempt ``t - 1`` (a start token at ``t = 0``) and are asked
about attempt ``t``'s skill; the target is whether attempt ``t`` was answered correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

NUM_SKILLS = 124
PAD_TOKEN = 0
START_TOKEN = 1
# Interaction tokens: 2 + 2 * skill + correct, so every (skill, outcome) pair has its own id.
NUM_TOKENS = 2 + 2 * NUM_SKILLS
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "assistments"
TRAIN_FILE = DATA_DIR / "builder_train.csv"
TEST_FILE = DATA_DIR / "builder_test.csv"


@dataclass(frozen=True)
class Learner:
    """One learner's attempts, in time order."""

    skills: np.ndarray  # int32 [n], 0..NUM_SKILLS-1
    correct: np.ndarray  # int32 [n], 0 or 1


def _numbers(line: str) -> list[int]:
    # The published files end the id lists with a trailing comma.
    return [int(part) for part in line.strip().split(",") if part.strip()]


def parse_lines(lines: Iterable[str]) -> list[Learner]:
    """Parse the three-lines-per-learner format; a malformed record raises ``ValueError``."""
    rows = [line for line in lines if line.strip()]
    if len(rows) % 3:
        raise ValueError(f"expected 3 lines per learner, got {len(rows)} lines")
    learners = []
    for index in range(0, len(rows), 3):
        count = int(rows[index].strip().rstrip(","))
        skills, correct = _numbers(rows[index + 1]), _numbers(rows[index + 2])
        if not (count == len(skills) == len(correct)):
            raise ValueError(
                f"learner {index // 3}: {count} attempts announced, "
                f"{len(skills)} skills, {len(correct)} outcomes"
            )
        if any(not 0 <= skill < NUM_SKILLS for skill in skills):
            raise ValueError(f"learner {index // 3}: skill id outside 0..{NUM_SKILLS - 1}")
        if any(value not in (0, 1) for value in correct):
            raise ValueError(f"learner {index // 3}: outcome other than 0 or 1")
        if count:
            learners.append(Learner(np.asarray(skills, np.int32), np.asarray(correct, np.int32)))
    return learners


def load_file(path: Path, limit: int | None = None) -> list[Learner]:
    """The learners of one file, optionally only the first ``limit`` (for quick runs)."""
    learners = parse_lines(path.read_text().splitlines())
    return learners[:limit] if limit else learners


def split_learners(
    learners: Sequence[Learner], validation_fraction: float, seed: int
) -> tuple[list[Learner], list[Learner]]:
    """Split by learner (never inside one learner's history), reproducibly."""
    order = np.random.default_rng(seed).permutation(len(learners))
    n_validation = max(1, round(len(learners) * validation_fraction))
    validation = sorted(order[:n_validation].tolist())
    training = sorted(order[n_validation:].tolist())
    return [learners[i] for i in training], [learners[i] for i in validation]


def to_frame(learners: Sequence[Learner]) -> pd.DataFrame:
    """Learners as a table with list columns, the form stored as a pipeline artifact."""
    return pd.DataFrame(
        {
            "skills": [learner.skills.tolist() for learner in learners],
            "correct": [learner.correct.tolist() for learner in learners],
        }
    )


def from_frame(frame: pd.DataFrame) -> list[Learner]:
    return [
        Learner(np.asarray(skills, np.int32), np.asarray(correct, np.int32))
        for skills, correct in zip(frame["skills"], frame["correct"], strict=True)
    ]


def save_learners(learners: Sequence[Learner], path: Path) -> None:
    to_frame(learners).to_parquet(path, index=False)


def read_learners(path: Path) -> list[Learner]:
    return from_frame(pd.read_parquet(path))


@dataclass(frozen=True)
class Windows:
    """Fixed-length windows of attempts, padded at the end, ready for the models."""

    tokens: np.ndarray  # int32 [n, L]: what the model reads at each position
    queries: np.ndarray  # int32 [n, L]: the skill asked about at each position
    targets: np.ndarray  # float32 [n, L]: 1 if that attempt was correct
    weights: np.ndarray  # float32 [n, L]: 1 for real attempts (train loss)
    scored: np.ndarray  # float32 [n, L]: 1 for real attempts after the window's first

    def __len__(self) -> int:
        return len(self.tokens)

    def scored_targets(self) -> np.ndarray:
        return self.targets[self.scored > 0]


def interaction_tokens(skills: np.ndarray, correct: np.ndarray) -> np.ndarray:
    return (2 + 2 * skills + correct).astype(np.int32)


def make_windows(learners: Sequence[Learner], max_length: int) -> Windows:
    """Cut each learner into consecutive windows of at most ``max_length`` attempts.

    Every window starts afresh (start token, no earlier context), as DKT implementations
    commonly do; only positions with an attempt before them in the window are scored.
    """
    chunks = [
        (learner.skills[start : start + max_length], learner.correct[start : start + max_length])
        for learner in learners
        for start in range(0, len(learner.skills), max_length)
    ]
    shape = (len(chunks), max_length)
    tokens = np.full(shape, PAD_TOKEN, np.int32)
    queries = np.zeros(shape, np.int32)
    targets = np.zeros(shape, np.float32)
    weights = np.zeros(shape, np.float32)
    for row, (skills, correct) in enumerate(chunks):
        n = len(skills)
        tokens[row, 0] = START_TOKEN
        tokens[row, 1:n] = interaction_tokens(skills[:-1], correct[:-1])
        queries[row, :n] = skills
        targets[row, :n] = correct
        weights[row, :n] = 1.0
    scored = weights.copy()
    scored[:, 0] = 0.0
    return Windows(tokens, queries, targets, weights, scored)


def batches(
    windows: Windows, batch_size: int, rng: np.random.Generator | None = None, bucket: int = 50
) -> list[np.ndarray]:
    """Row indices of each batch, grouping windows of similar length.

    Most windows are much shorter than the maximum; batching similar lengths together and
    trimming each batch to a multiple of ``bucket`` positions halves the recurrent work.
    With ``rng`` the order within length groups and the order of batches are shuffled.
    """
    lengths = windows.weights.sum(axis=1).astype(np.int64)
    order = rng.permutation(len(windows)) if rng is not None else np.arange(len(windows))
    order = order[np.argsort(-(-lengths[order] // bucket), kind="stable")]
    groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        groups = [groups[i] for i in rng.permutation(len(groups))]
    return groups


def batch_width(windows: Windows, rows: np.ndarray, bucket: int = 50) -> int:
    longest = int(windows.weights[rows].sum(axis=1).max())
    return min(windows.tokens.shape[1], max(bucket, -(-longest // bucket) * bucket))


def dataset(windows: Windows, batch_size: int, shuffle_seed: int | None = None):
    """A ``tf.data`` pipeline of ``({"tokens", "queries"}, targets, weights)`` batches.

    Targets and weights carry a trailing axis of 1 so that the per-position loss is weighted
    position by position (padding weighs 0). Each pass reshuffles when a seed is given.
    """
    import tensorflow as tf

    rng = np.random.default_rng(shuffle_seed) if shuffle_seed is not None else None

    def generate():
        for rows in batches(windows, batch_size, rng):
            width = batch_width(windows, rows)
            yield (
                {
                    "tokens": windows.tokens[rows, :width],
                    "queries": windows.queries[rows, :width],
                },
                windows.targets[rows, :width, None],
                windows.weights[rows, :width, None],
            )

    matrix = tf.TensorSpec([None, None], tf.int32)
    column = tf.TensorSpec([None, None, 1], tf.float32)
    signature = ({"tokens": matrix, "queries": matrix}, column, column)
    count = len(batches(windows, batch_size))
    stream = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # A known length lets Keras end each epoch cleanly.
    return stream.apply(tf.data.experimental.assert_cardinality(count)).prefetch(2)


def predict(model, windows: Windows, batch_size: int = 256) -> np.ndarray:
    """The model's probability at every position of every window: float32 [n, L]."""
    out = np.zeros(windows.targets.shape, np.float32)
    for rows in batches(windows, batch_size):
        width = batch_width(windows, rows)
        inputs = {
            "tokens": windows.tokens[rows, :width],
            "queries": windows.queries[rows, :width],
        }
        out[rows, :width] = np.asarray(model.predict_on_batch(inputs))[..., 0]
    return out


def summary(learners: Sequence[Learner]) -> dict[str, float]:
    attempts = sum(len(learner.skills) for learner in learners)
    correct = sum(int(learner.correct.sum()) for learner in learners)
    return {
        "learners": len(learners),
        "attempts": attempts,
        "share_correct": correct / attempts if attempts else 0.0,
    }
