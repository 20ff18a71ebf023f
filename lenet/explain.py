"""Why a model decided what it did: gradient saliency, Grad-CAM, and how its confidence survives distortions."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision.transforms.v2.functional import normalize

from lenet.inference import Predictor
from lenet.stages import model_stages
from lenet.transforms import affine

STAGE_STRIDE = {"c1": 1, "s2": 2, "c3": 2, "s4": 4}  # input pixels per map pixel, the same in every variant


def _normalised(predictor: Predictor, pixels: torch.Tensor) -> torch.Tensor:
    return normalize(pixels, predictor.meta["mean"], predictor.meta["std"])


def gradient_saliency(predictor: Predictor, pixels: torch.Tensor, target: int) -> torch.Tensor:
    """Gradient x input: |pixel * d logit_target / d pixel|, largest over colour channels, ``H x W`` in [0, 1].

    The first-order share of each pixel in the logit relative to a black image: where the
    evidence the model used sits. (The plain gradient answers another question, where
    *adding* ink would change the answer, and spreads over the empty background.)
    """
    x = _normalised(predictor, pixels).requires_grad_(True)
    with torch.enable_grad():  # gradients w.r.t. the input only: shared weights are never touched
        (gradient,) = torch.autograd.grad(predictor.model(x)[0, target], x)
    std = torch.tensor(predictor.meta["std"]).view(1, -1, 1, 1)
    saliency = (gradient / std * pixels)[0].abs().amax(dim=0)
    return saliency / saliency.max().clamp_min(1e-12)


def grad_cam(predictor: Predictor, pixels: torch.Tensor, target: int, stage: str = "c3") -> torch.Tensor:
    """Grad-CAM (Selvaraju et al., 2017) on a stage: ReLU(sum_k mean(dy/dA_k) A_k), upsampled to the input: ``H x W`` in [0, 1]."""
    with torch.enable_grad():
        stages = model_stages(predictor.model, _normalised(predictor, pixels))
        activations = stages[stage]
        (gradients,) = torch.autograd.grad(stages["output"][0, target], activations)
    weights = gradients.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * activations).sum(dim=1, keepdim=True)).detach()
    return _to_input_grid(cam, STAGE_STRIDE[stage], pixels.shape[-1])[0, 0]


def _to_input_grid(heat: torch.Tensor, stride: int, size: int) -> torch.Tensor:
    """Place a stage's map over the input pixels it looks at: scale by the stage's stride, then centre.

    Unpadded LeNet-5 convolutions see only the middle of the image (C3's 10x10 grid covers
    input rows 6.5 to 24.5 in steps of 2), so stretching the map over the whole image would misplace it.
    """
    heat = F.interpolate(heat, scale_factor=stride, mode="bilinear", align_corners=False)
    margin = (size - heat.shape[-1]) // 2
    heat = F.pad(heat, (margin, size - heat.shape[-1] - margin) * 2)
    return heat / heat.max().clamp_min(1e-12)


@torch.inference_mode()
def confidence_under_rotation(predictor: Predictor, pixels: torch.Tensor, angles: list[float], target: int) -> list[float]:
    """Probability of class ``target`` as the input is rotated by each angle (one batched forward)."""
    n = len(angles)
    batch = pixels.expand(n, -1, -1, -1)
    zeros = torch.zeros(n)
    rotated = affine(batch, torch.tensor(angles, dtype=torch.float32), zeros, zeros, torch.ones(n))
    probabilities = predictor.model(_normalised(predictor, rotated)).softmax(dim=1)
    return probabilities[:, target].tolist()
