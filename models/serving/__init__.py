"""A model server that speaks the TensorFlow Serving gRPC and REST protocols.

It serves numbered SavedModel versions from a model base path laid out as TensorFlow Serving
expects (``<base>/<model>/<version>/saved_model.pb``), so that production can serve the same
folder with the official ``tensorflow/serving`` image.
"""
