"""TensorFlow models of the platform and the server that serves them."""
