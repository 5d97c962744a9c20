"""The local stack: real servers installed and run by the project on loopback."""
