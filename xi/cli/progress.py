"""Progress for long work: a spinner with the current step and the time it has taken."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


@contextmanager
def steps(title: str) -> Iterator[callable]:  # type: ignore[valid-type]
    """Yield a ``report(step)`` function; each step is shown live and logged when it ends."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(title)

        def report(step: str) -> None:
            progress.update(task, description=f"{title}: {step}")
            progress.console.log(step)

        yield report
