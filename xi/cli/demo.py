"""`xi demo`: the platform's main job, end to end on the local stack."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from xi import demo_learning
from xi.cli import learning, simulate
from xi.cli.progress import console, steps
from xi.settings import get_settings
from xi.simulation.config import SimulationConfig
from xi.simulation.runner import Pace
from xi.stack import probes
from xi.stack import stack as local_stack


def demo() -> None:
    """Bring the stack up, show every service answering, a simulated market with labelled
    abuse through the engine, then a learner's mastery and path."""
    settings = get_settings()
    with steps("demo") as report:
        local_stack.up(settings, report)
        answers = probes.probe_all(settings, report)
    for service, answer in answers.items():
        console.print(f"[bold]{service}[/bold]: {escape(answer)}")

    console.print("[bold]a simulated market with injected abuse, through the engine[/bold]")
    config = SimulationConfig(minutes=0.5, seed=7)
    simulate.execute(settings, config, simulate.Mode.KAFKA, Pace(full_speed=True))

    if not demo_learning.has_model(settings):
        console.print("no knowledge-tracing model yet: a quick training run makes one")
        learning.train(epochs=0, quick=True)
    with steps("learning") as report:
        report("waiting for the model server to serve the model")
        demo_learning.wait_until_served(settings)
        view = demo_learning.learner_session(settings, report)
    table = Table("skill", "mastery", title=f"mastery (model version {view.model_version})")
    for skill, value in sorted(view.mastery.items(), key=lambda item: item[1]):
        table.add_row(skill, f"{value:.2f}")
    console.print(table)
    console.print("[bold]course path[/bold]")
    for number, step in enumerate(view.path, start=1):
        console.print(f"  {number}. {escape(step['title'])}  [dim]({escape(step['reason'])})[/dim]")
