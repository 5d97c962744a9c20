"""TensorFlow models of the platform: training, evaluation, export, pipelines and serving."""
