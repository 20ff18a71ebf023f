"""lenet: LeNet variants, their data, preprocessing, checkpoints and inference."""
from lenet import models  # noqa: F401  (registers the variants)
from lenet.checkpoint import count_parameters, load_checkpoint, save_checkpoint
from lenet.datasets import (
    DATASETS,
    DatasetInfo,
    dataset_info,
    load_dataset,
    load_tensors,
)
from lenet.errors import (
    CheckpointError,
    DatasetError,
    EmptyImageError,
    InputError,
    LenetError,
)
from lenet.inference import Prediction, Predictor
from lenet.registry import create_model, list_models, register_model
from lenet.stages import STAGE_NAMES, model_stages

__all__ = [
    "DATASETS", "STAGE_NAMES", "CheckpointError", "DatasetError", "DatasetInfo", "EmptyImageError", "InputError",
    "LenetError", "Prediction", "Predictor", "count_parameters", "create_model", "dataset_info", "list_models",
    "load_checkpoint", "load_dataset", "load_tensors", "model_stages", "register_model", "save_checkpoint",
]
