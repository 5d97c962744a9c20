"""TensorFlow models of the platform: training, evaluation, export and Kubeflow pipelines."""
