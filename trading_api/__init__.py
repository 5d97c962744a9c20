"""The FastAPI application that traders, compliance officers, analysts and learners use."""
