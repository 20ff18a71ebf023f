"""lenet: LeNet variants, their data, preprocessing, checkpoints and inference."""
from lenet import models  # noqa: F401  (registers the variants)
from lenet.checkpoint import count_parameters, load_checkpoint, save_pretrained
from lenet.datasets import (
    DATASETS,
    DatasetSpec,
    dataset_spec,
    load_dataset,
    load_tensors,
)
from lenet.errors import (
    CheckpointError,
    DatasetError,
    DownloadError,
    EmptyImageError,
    ImageTooLargeError,
    InputError,
    LenetError,
    UnreadableImageError,
)
from lenet.inference import Prediction, Predictor, from_pretrained
from lenet.registry import create_model, list_models, model_description, register_model
from lenet.stages import STAGE_NAMES, model_stages

__all__ = [
    "DATASETS", "STAGE_NAMES", "CheckpointError", "DatasetError", "DatasetSpec", "DownloadError", "EmptyImageError", "ImageTooLargeError",
    "InputError", "LenetError", "Prediction", "Predictor", "UnreadableImageError", "count_parameters", "create_model",
    "dataset_spec", "from_pretrained", "list_models", "load_checkpoint", "load_dataset", "load_tensors",
    "model_description", "model_stages", "register_model", "save_pretrained",
]
