"""The Keras knowledge-tracing models: the main model and the DKT baseline.

Both read a window of tokens (start token, then the learner's earlier attempts) and the skill
of the attempt to predict at each position, and give the probability it is answered correctly.
Both also answer the serving question: after the history so far, the probability of a correct
answer on the next item of every skill.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import keras
import tensorflow as tf

from models.knowledge_tracing.data import NUM_SKILLS, NUM_TOKENS

MAIN = "main"
DKT = "dkt"


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of one model; stored beside its weights to rebuild it."""

    kind: str = MAIN  # MAIN or DKT
    hidden: int = 200
    embedding: int = 64
    head: int = 64
    dropout: float = 0.2
    cell: str = "gru"  # main model's recurrent cell: "gru" or "lstm"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class KnowledgeTracer(keras.Model):
    """Recurrent encoder of the history + a head that is asked about one skill.

    ``main``: an embedding of each (skill, outcome) interaction feeds a GRU/LSTM; the head
    combines the state with an embedding of the asked skill (an MLP), so that skills share
    what they learn. ``dkt``: Piech et al.'s model: one-hot of (skill, outcome) into an LSTM,
    dropout, one sigmoid output per skill, read at the asked skill.
    """

    def __init__(self, config: ModelConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.dropout = keras.layers.Dropout(config.dropout)
        if config.kind == DKT:
            self.rnn = keras.layers.LSTM(config.hidden, return_sequences=True)
            self.per_skill = keras.layers.Dense(NUM_SKILLS)
        elif config.kind == MAIN:
            self.interactions = keras.layers.Embedding(NUM_TOKENS, config.embedding)
            cell = keras.layers.GRU if config.cell == "gru" else keras.layers.LSTM
            self.rnn = cell(config.hidden, return_sequences=True)
            self.skills = keras.layers.Embedding(NUM_SKILLS, config.embedding)
            self.head_hidden = keras.layers.Dense(config.head, activation="relu")
            self.head_out = keras.layers.Dense(1)
        else:
            raise ValueError(f"unknown model kind {config.kind!r}")

    def step_inputs(self, tokens: tf.Tensor) -> tf.Tensor:
        """What the recurrent layer reads for each token: [...] -> [..., features]."""
        if self.config.kind == DKT:
            # Tokens 2.. are (skill, outcome) pairs; start and padding become all-zero inputs.
            return tf.one_hot(tokens - 2, 2 * NUM_SKILLS)
        return self.interactions(tokens)

    def encode(self, tokens: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The state after each position's token: [batch, T] -> [batch, T, hidden]."""
        return self.dropout(self.rnn(self.step_inputs(tokens)), training=training)

    def logits(self, states: tf.Tensor, skills: tf.Tensor, training: bool = False) -> tf.Tensor:
        """Logit of a correct answer on ``skills`` given ``states`` (same leading shape)."""
        if self.config.kind == DKT:
            per_skill = self.per_skill(states)
            return tf.gather(per_skill, skills, batch_dims=len(skills.shape))
        joined = tf.concat([states, self.skills(skills)], axis=-1)
        hidden = self.dropout(self.head_hidden(joined), training=training)
        return tf.squeeze(self.head_out(hidden), axis=-1)

    def all_skill_logits(self, state: tf.Tensor) -> tf.Tensor:
        """Logits for every skill from one state per learner: [batch, hidden] -> [batch, K]."""
        if self.config.kind == DKT:
            return self.per_skill(state)
        batch = tf.shape(state)[0]
        states = tf.repeat(state[:, None, :], NUM_SKILLS, axis=1)
        skills = tf.tile(tf.range(NUM_SKILLS)[None, :], [batch, 1])
        return self.logits(states, skills)

    def call(self, inputs: dict[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        states = self.encode(inputs["tokens"], training=training)
        probability = tf.sigmoid(self.logits(states, inputs["queries"], training=training))
        return probability[..., None]  # [batch, T, 1], the shape of the weighted targets


def build(config: ModelConfig, learning_rate: float = 1e-3) -> KnowledgeTracer:
    """A compiled model, built on a dummy batch so that its weights exist."""
    model = KnowledgeTracer(config)
    model({"tokens": tf.zeros([1, 2], tf.int32), "queries": tf.zeros([1, 2], tf.int32)})
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=keras.losses.BinaryCrossentropy(),
    )
    return model


def history_tokens(skill_ids: tf.Tensor, correct: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """[batch, T] attempts (skill < 0 = padding at the end) -> tokens [batch, T + 1], lengths.

    The history becomes ``start, attempt 1, ..., attempt n``; ``lengths`` counts the real
    attempts, so the state at index ``length`` is the one after the learner's last attempt.
    """
    skill_ids = tf.cast(skill_ids, tf.int32)
    correct = tf.cast(correct, tf.int32)
    real = skill_ids >= 0
    lengths = tf.reduce_sum(tf.cast(real, tf.int32), axis=1)
    interactions = tf.where(real, 2 + 2 * skill_ids + tf.clip_by_value(correct, 0, 1), 0)
    batch = tf.shape(skill_ids)[0]
    return tf.concat([tf.ones([batch, 1], tf.int32), interactions], axis=1), lengths


def mastery(model: KnowledgeTracer, skill_ids: tf.Tensor, correct: tf.Tensor) -> tf.Tensor:
    """The serving answer: [batch, T] attempts (skill < 0 = padding at the end) -> [batch, K].

    The state after the last real attempt is asked about every skill; with no attempts that is
    the state after the start token alone, the model's prior.
    """
    tokens, lengths = history_tokens(skill_ids, correct)
    states = model.encode(tokens)
    # Padding sits only at the end, and the encoder is causal: the state at index ``length``
    # has seen exactly the learner's real attempts.
    last = tf.gather(states, lengths, batch_dims=1)
    return tf.sigmoid(model.all_skill_logits(last))


def last_state(model: KnowledgeTracer, tokens: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
    """The state after token ``lengths[b]`` of each row: what ``encode`` gives there, [batch, H].

    Steps the recurrent layer's own cell only up to the longest row's length, whatever padding
    follows, and keeps no per-position states: the serving path, compiled with XLA.
    """
    cell = model.rnn.cell
    inputs = model.step_inputs(tokens)
    zeros = tf.zeros([tf.shape(tokens)[0], cell.units], inputs.dtype)
    states = [zeros for _ in tf.nest.flatten(cell.state_size)]  # GRU: [h]; LSTM: [h, c]

    def step(t: tf.Tensor, states: list[tf.Tensor], last: tf.Tensor) -> tuple:
        output, states = cell(inputs[:, t], states, training=False)
        return t + 1, states, tf.where((t == lengths)[:, None], output, last)

    steps = tf.reduce_max(lengths) + 1
    _, _, last = tf.while_loop(lambda t, *_: t < steps, step, (tf.constant(0), states, zeros))
    return last
