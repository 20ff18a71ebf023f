"""Importing this package registers every variant, oldest design first (the order people see them in)."""
from lenet.models import lenet5_1998, lenet5, lenet_cifar  # noqa: F401, I001
