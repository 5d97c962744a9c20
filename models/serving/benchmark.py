"""Latency of one learner's sequence of attempts, replayed against the model server.

Request i carries the learner's first i attempts (batch 1), as the learning endpoints will ask
after every quiz answer; the sequence is replayed in order, so every length 1..T is measured.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import numpy as np

from models.serving.servable import DEFAULT_SIGNATURE, _read_signature_defs

SIGNATURE_INPUTS = {"skill_ids", "correct"}
DEMO_MODEL = "knowledge_tracing"
Report = Callable[[str], None]


@dataclass(frozen=True)
class Endpoint:
    grpc_port: int
    rest_port: int


def configure_tensorflow(threads: int) -> None:
    """The same thread pools as the server, so that the in-process baseline compares fairly.

    Call before anything else in this process uses TensorFlow.
    """
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def find_model(base_path: Path) -> str | None:
    """A model of ``base_path`` whose newest version has the knowledge-tracing signature."""
    if not base_path.is_dir():
        return None
    for model in sorted(p for p in base_path.iterdir() if p.is_dir()):
        versions = [
            v for v in model.iterdir() if v.name.isdigit() and (v / "saved_model.pb").exists()
        ]
        if not versions:
            continue
        newest = max(versions, key=lambda v: int(v.name))
        signature = _read_signature_defs(newest).get(DEFAULT_SIGNATURE)
        if signature is not None and set(signature.inputs) == SIGNATURE_INPUTS:
            return model.name
    return None


def export_demo_model(base_path: Path) -> str:
    from models.serving import demo_model

    demo_model.export(demo_model.build(), base_path / DEMO_MODEL / "1")
    return DEMO_MODEL


@contextmanager
def model_server(base_path: Path, log_path: Path, threads: int = 1) -> Iterator[Endpoint]:
    """``python -m models.serving`` on free ports, for as long as the block runs."""
    command = [
        sys.executable,
        "-m",
        "models.serving",
        "--model-base-path",
        str(base_path),
        "--grpc-port",
        "0",
        "--rest-port",
        "0",
        "--intra-op-threads",
        str(threads),
        "--inter-op-threads",
        str(threads),
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the server prints its ports once both answer
        ready = re.search(r"grpc=(\d+) rest=(\d+)", line)
        if ready is None:
            raise RuntimeError(f"the model server did not start; see {log_path}")
        yield Endpoint(int(ready.group(1)), int(ready.group(2)))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_available(endpoint: Endpoint, model: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{endpoint.rest_port}/v1/models/{model}"
    while time.monotonic() < deadline:
        try:
            states = [s["state"] for s in httpx.get(url).json().get("model_version_status", [])]
            if "AVAILABLE" in states:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"model {model} did not become AVAILABLE")


def history(length: int) -> tuple[np.ndarray, np.ndarray]:
    from models.serving import demo_model

    return demo_model.learner_history(length)


def percentiles(seconds: list[float]) -> tuple[float, float]:
    p50, p99 = np.percentile(np.array(seconds) * 1e3, [50, 99])
    return round(float(p50), 3), round(float(p99), 3)


def bench_grpc(
    endpoint: Endpoint, model: str, attempts: int, warmup: int, requests: int, report: Report
) -> tuple[list[float], float, dict[int, list[float]]]:
    """Latencies (s), predictions per second and latencies by sequence length, over gRPC."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    skills, correct = history(attempts)
    # Requests are built ahead: the measurement is the round trip, not the client's protos.
    prepared = []
    for length in range(1, attempts + 1):
        request = predict_pb2.PredictRequest()
        request.model_spec.name = model
        request.inputs["skill_ids"].CopyFrom(tf.make_tensor_proto(skills[None, :length]))
        request.inputs["correct"].CopyFrom(tf.make_tensor_proto(correct[None, :length]))
        prepared.append(request)
    with grpc.insecure_channel(f"127.0.0.1:{endpoint.grpc_port}") as channel:
        predict = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict
        report(f"gRPC warm-up: {warmup} requests")
        for i in range(warmup):
            predict(prepared[i % attempts], timeout=30)
        report(f"gRPC: {requests} requests, sequence lengths 1..{attempts} in turn")
        latencies: list[float] = []
        by_length: dict[int, list[float]] = {}
        started = time.perf_counter()
        for i in range(requests):
            request = prepared[i % attempts]
            t0 = time.perf_counter()
            predict(request, timeout=30)
            elapsed = time.perf_counter() - t0
            latencies.append(elapsed)
            by_length.setdefault(i % attempts + 1, []).append(elapsed)
        per_second = requests / (time.perf_counter() - started)
    return latencies, per_second, by_length


def bench_rest(
    endpoint: Endpoint, model: str, attempts: int, warmup: int, requests: int, report: Report
) -> list[float]:
    skills, correct = history(attempts)
    bodies = [
        {"instances": [{"skill_ids": skills[:n].tolist(), "correct": correct[:n].tolist()}]}
        for n in range(1, attempts + 1)
    ]
    url = f"http://127.0.0.1:{endpoint.rest_port}/v1/models/{model}:predict"
    latencies = []
    with httpx.Client(timeout=30) as client:
        report(f"REST warm-up: {warmup} requests")
        for i in range(warmup):
            client.post(url, json=bodies[i % attempts]).raise_for_status()
        report(f"REST: {requests} requests")
        for i in range(requests):
            t0 = time.perf_counter()
            client.post(url, json=bodies[i % attempts]).raise_for_status()
            latencies.append(time.perf_counter() - t0)
    return latencies


def bench_in_process(base_path: Path, model: str, attempts: int, passes: int) -> list[float]:
    """The model alone: its signature called in this process, no server, same requests."""
    import tensorflow as tf

    versions = [v for v in (base_path / model).iterdir() if v.name.isdigit()]
    newest = max(versions, key=lambda v: int(v.name))
    signature = tf.saved_model.load(str(newest)).signatures[DEFAULT_SIGNATURE]
    skills, correct = history(attempts)
    inputs = [
        {"skill_ids": tf.constant(skills[None, :n]), "correct": tf.constant(correct[None, :n])}
        for n in range(1, attempts + 1)
    ]
    for batch in inputs:
        signature(**batch)
    latencies = []
    for _ in range(passes):
        for batch in inputs:
            t0 = time.perf_counter()
            {k: v.numpy() for k, v in signature(**batch).items()}
            latencies.append(time.perf_counter() - t0)
    return latencies


def temporary_base_path() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="xi-bench-serving-")
