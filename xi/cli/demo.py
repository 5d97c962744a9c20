"""`xi demo`: the platform's main job, end to end on the local stack."""

from __future__ import annotations

from xi.cli.progress import console, steps
from xi.settings import get_settings
from xi.stack import probes
from xi.stack import stack as local_stack


def demo() -> None:
    """Bring the stack up and show every service answering a real request."""
    settings = get_settings()
    with steps("demo") as report:
        local_stack.up(settings, report)
        answers = probes.probe_all(settings, report)
    for service, answer in answers.items():
        console.print(f"[bold]{service}[/bold]: {answer}")
