"""`xi bench ...`: benchmarks that print their numbers, the last line as JSON."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from xi.cli.bench_api import bench_api
from xi.cli.bench_engine_kafka import engine_kafka
from xi.cli.bench_pipelines import pipelines_bench
from xi.cli.engine import bench_engine
from xi.cli.progress import console, steps
from xi.settings import get_settings

app = typer.Typer(help="Benchmarks of the platform's parts.", no_args_is_help=True)
app.command("engine")(bench_engine)
app.command("engine-kafka")(engine_kafka)
app.command("pipelines")(pipelines_bench)
app.command("api")(bench_api)


@app.command()
def serving(
    requests: Annotated[int, typer.Option(help="timed gRPC requests")] = 2000,
    rest_requests: Annotated[int, typer.Option(help="timed REST requests")] = 400,
    attempts: Annotated[int, typer.Option(help="length of the learner's sequence")] = 200,
    use_running: Annotated[
        bool, typer.Option(help="use the stack's model server instead of starting one")
    ] = False,
) -> None:
    """Replay one learner's attempts (batch 1) against the model server; JSON on the last line.

    Serves the knowledge-tracing model of the model base path when there is one, else a small
    stand-in with the same signature exported to a temporary base path.
    """
    from models.serving import benchmark

    settings = get_settings()
    benchmark.configure_tensorflow(settings.model_server_threads)
    with ExitStack() as stack, steps("bench serving") as report:
        model = benchmark.find_model(settings.model_base_path)
        if model is not None:
            base_path = settings.model_base_path
            report(f"model {model!r} from {base_path}")
        else:
            if use_running:
                raise typer.BadParameter("--use-running needs a model in the model base path")
            base_path = Path(stack.enter_context(benchmark.temporary_base_path()))
            report(f"no knowledge-tracing model in {settings.model_base_path}; exporting one")
            model = benchmark.export_demo_model(base_path)
        if use_running:
            endpoint = benchmark.Endpoint(
                settings.model_server_grpc_port, settings.model_server_rest_port
            )
        else:
            report("starting the model server")
            log_path = settings.state_dir / "logs" / "bench-model-server.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            endpoint = stack.enter_context(
                benchmark.model_server(base_path, log_path, settings.model_server_threads)
            )
        benchmark.wait_available(endpoint, model)
        grpc_seconds, per_second, by_length = benchmark.bench_grpc(
            endpoint, model, attempts, warmup=attempts, requests=requests, report=report
        )
        rest_seconds = benchmark.bench_rest(
            endpoint, model, attempts, warmup=20, requests=rest_requests, report=report
        )
        report("the model alone, in this process, for comparison")
        alone = benchmark.bench_in_process(base_path, model, attempts, passes=2)
    grpc_p50, grpc_p99 = benchmark.percentiles(grpc_seconds)
    _, rest_p99 = benchmark.percentiles(rest_seconds)
    alone_p50, alone_p99 = benchmark.percentiles(alone)
    shortest = benchmark.percentiles(by_length[1])
    longest = benchmark.percentiles(by_length[max(by_length)])
    console.print(
        f"gRPC p50/p99 ms: all {grpc_p50}/{grpc_p99}, length 1 {shortest[0]}/{shortest[1]}, "
        f"length {max(by_length)} {longest[0]}/{longest[1]}; "
        f"model alone in-process p50/p99 {alone_p50}/{alone_p99}",
        soft_wrap=True,
    )
    print(
        json.dumps(
            {
                "grpc_p50_ms": grpc_p50,
                "grpc_p99_ms": grpc_p99,
                "rest_p99_ms": rest_p99,
                "predictions_per_sec": round(per_second, 1),
            }
        )
    )
