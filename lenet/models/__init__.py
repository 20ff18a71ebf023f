"""Importing this package registers every variant."""
from lenet.models import lenet5, lenet5_1998, lenet_cifar  # noqa: F401
