"""``python -m models.serving``: serve a model base path over gRPC and REST until SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from pathlib import Path


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m models.serving",
        description="Serve SavedModel versions over the TensorFlow Serving gRPC and REST APIs.",
    )
    parser.add_argument("--model-base-path", type=Path, required=True)
    parser.add_argument(
        "--model-config-file", type=Path, help="a models.config text proto (default: every folder)"
    )
    parser.add_argument("--grpc-port", type=int, default=8500)
    parser.add_argument("--rest-port", type=int, default=8501)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--poll-seconds", type=float, default=1.0)
    parser.add_argument("--grpc-workers", type=int, default=4)
    # Small thread pools bound memory and suit batch-1 requests, whose ops are too small to split.
    parser.add_argument("--intra-op-threads", type=int, default=1)
    parser.add_argument("--inter-op-threads", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    import tensorflow as tf

    # Must happen before TensorFlow creates its runtime, i.e. before any model loads.
    tf.config.threading.set_intra_op_parallelism_threads(args.intra_op_threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.inter_op_threads)

    from models.serving.server import ModelServer, ServerOptions

    args.model_base_path.mkdir(parents=True, exist_ok=True)
    server = ModelServer(
        ServerOptions(
            model_base_path=args.model_base_path,
            model_config_file=args.model_config_file,
            grpc_port=args.grpc_port,
            rest_port=args.rest_port,
            host=args.host,
            poll_seconds=args.poll_seconds,
            grpc_workers=args.grpc_workers,
        )
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    print(f"model server ready: grpc={server.grpc_port} rest={server.rest_port}", flush=True)
    stopping.wait()
    server.stop()


if __name__ == "__main__":
    main()
