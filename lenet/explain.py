"""Why a model decided what it did: gradient saliency, Grad-CAM, and how its confidence survives distortions."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from lenet.inference import Predictor
from lenet.stages import model_stages
from lenet.transforms import affine

STAGE_STRIDE = {"c1": 1, "s2": 2, "c3": 2, "s4": 4}  # input pixels per map pixel, the same in every variant


@dataclass
class Explanation:
    probabilities: torch.Tensor  # one per class
    target: int  # the class explained
    saliency: torch.Tensor  # H x W in [0, 1]: gradient x input
    grad_cam: torch.Tensor  # H x W in [0, 1]: Grad-CAM on a stage, placed over the input


def explain(predictor: Predictor, pixels: torch.Tensor, target: int | None = None, stage: str = "c3") -> Explanation:
    """Prediction, gradient x input and Grad-CAM from one forward and one backward pass.

    ``target`` defaults to the predicted class. Gradients are taken with respect to
    the input and the stage only, so the shared weights are never touched.
    """
    x = predictor.normalize(pixels).requires_grad_(True)
    with torch.enable_grad():
        stages = model_stages(predictor.model, x)
        logits = stages["output"][0]
        target = int(logits.argmax()) if target is None else target
        input_gradient, stage_gradient = torch.autograd.grad(logits[target], (x, stages[stage]))
    return Explanation(
        probabilities=logits.detach().softmax(dim=0),
        target=target,
        saliency=_gradient_times_input(predictor, pixels, input_gradient),
        grad_cam=_grad_cam(stages[stage].detach(), stage_gradient, STAGE_STRIDE[stage], pixels.shape[-1]),
    )


def _gradient_times_input(predictor: Predictor, pixels: torch.Tensor, gradient: torch.Tensor) -> torch.Tensor:
    """|pixel * d logit / d pixel|, largest over colour channels, scaled to [0, 1].

    The first-order share of each pixel in the logit relative to a black image: where the
    evidence the model used sits. (The plain gradient answers another question, where
    *adding* ink would change the answer, and spreads over the empty background.)
    """
    std = torch.tensor(predictor.meta["std"]).view(1, -1, 1, 1)  # d x / d pixel = 1 / std
    saliency = (gradient / std * pixels)[0].abs().amax(dim=0)
    return saliency / saliency.max().clamp_min(1e-12)


def _grad_cam(activations: torch.Tensor, gradients: torch.Tensor, stride: int, size: int) -> torch.Tensor:
    """Grad-CAM (Selvaraju et al., 2017): ReLU(sum_k mean(dy/dA_k) A_k), placed over the input."""
    weights = gradients.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * activations).sum(dim=1, keepdim=True))
    return _to_input_grid(cam, stride, size)[0, 0]


def gradient_saliency(predictor: Predictor, pixels: torch.Tensor, target: int) -> torch.Tensor:
    return explain(predictor, pixels, target).saliency


def grad_cam(predictor: Predictor, pixels: torch.Tensor, target: int, stage: str = "c3") -> torch.Tensor:
    return explain(predictor, pixels, target, stage).grad_cam


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
def confidence_under_rotation(
    predictor: Predictor, pixels: torch.Tensor, angles: list[float], target: int | None = None
) -> list[float]:
    """Probability of class ``target`` (default: the unrotated prediction) as the input is rotated
    by each angle, in one batched forward whose first image is the unrotated one."""
    turns = [0.0, *angles]
    n = len(turns)
    zeros = torch.zeros(n)
    rotated = affine(pixels.expand(n, -1, -1, -1), torch.tensor(turns), zeros, zeros, torch.ones(n))
    probabilities = predictor.model(predictor.normalize(rotated)).softmax(dim=1)
    target = int(probabilities[0].argmax()) if target is None else target
    return probabilities[1:, target].tolist()
