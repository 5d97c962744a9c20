"""Knowledge tracing: predict a learner's next answer per skill from their quiz history."""
