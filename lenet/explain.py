"""Why a model decided what it did: SmoothGrad saliency and Grad-CAM (through captum), and how its confidence survives distortions."""
from __future__ import annotations

import copy
import itertools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from captum.attr import LayerGradCam, NoiseTunnel, Saliency
from torch import nn

from lenet.inference import Predictor
from lenet.transforms import affine

STAGE_STRIDE = {"c1": 1, "s2": 2, "c3": 2, "s4": 4}  # input pixels per map pixel, the same in every variant
SMOOTHGRAD_SAMPLES = 8  # noisy copies averaged: as faithful as 16 on the erasing test, and C1's backward grows steeply with the batch
SMOOTHGRAD_NOISE = 0.3  # noise std in pixels in [0, 1]: near-binary ink needs more than the paper's 10-20% to move the map
NOISE_SEED = 0  # the same image always gets the same map

_attributing = threading.Lock()  # captum's calls take turns: SmoothGrad reseeds torch's process-wide RNG, Grad-CAM hooks a module
_twins: weakref.WeakKeyDictionary[nn.Module, nn.Module] = weakref.WeakKeyDictionary()


@dataclass
class Explanation:
    probabilities: torch.Tensor  # one per class
    target: int  # the class explained
    saliency: torch.Tensor  # H x W in [0, 1]: SmoothGrad gradient x input
    grad_cam: torch.Tensor  # H x W in [0, 1]: Grad-CAM on a stage, placed over the input


def explain(predictor: Predictor, pixels: torch.Tensor, target: int | None = None, stage: str = "c3") -> Explanation:
    """Prediction, SmoothGrad gradient x input and Grad-CAM on ``stage`` for one image (1 x C x H x W in [0, 1]).

    ``target`` defaults to the predicted class. Attributions are taken with respect to the
    pixels in [0, 1], so the normalisation is part of the model and needs no bookkeeping.
    Captum differentiates only with respect to the input and the stage, so the shared weights' ``.grad`` stays untouched.
    The attributions are made one call at a time, so concurrent callers get the same maps as a lone one.
    """

    def forward(x: torch.Tensor) -> torch.Tensor:
        return predictor.model(predictor.normalize(x))

    with torch.no_grad():
        logits = forward(pixels)[0]
    target = int(logits.argmax()) if target is None else target
    with _attributing:
        saliency = _smoothgrad_times_input(forward, pixels, target)
        grad_cam = _grad_cam(predictor, pixels, target, stage)
    return Explanation(probabilities=logits.softmax(dim=0), target=target, saliency=saliency, grad_cam=grad_cam)


def _smoothgrad_times_input(forward: Callable[[torch.Tensor], torch.Tensor], pixels: torch.Tensor, target: int) -> torch.Tensor:
    """|pixel * smoothed d logit / d pixel|, largest over colour channels, scaled to [0, 1].

    The first-order share of each pixel in the logit relative to a black image: where the
    evidence the model used sits. (The plain gradient answers another question, where
    *adding* ink would change the answer, and spreads over the empty background.)
    The gradient is averaged over noisy copies of the image (SmoothGrad, Smilkov et al., 2017):
    a single gradient swings between nearby inputs, and the average better picks the ink the answer rests on.
    All copies go through one batched forward and backward; the seeded noise leaves the global RNG alone.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(NOISE_SEED)
        gradient = NoiseTunnel(Saliency(forward)).attribute(
            pixels,
            nt_type="smoothgrad",
            nt_samples=SMOOTHGRAD_SAMPLES,
            nt_samples_batch_size=SMOOTHGRAD_SAMPLES,
            stdevs=SMOOTHGRAD_NOISE,
            target=target,
            abs=False,  # average signed gradients; the magnitude is taken after multiplying by the input
        )
    saliency = (gradient * pixels)[0].abs().amax(dim=0)
    return saliency / saliency.max().clamp_min(1e-12)


def _grad_cam(predictor: Predictor, pixels: torch.Tensor, target: int, stage: str) -> torch.Tensor:
    """Grad-CAM (Selvaraju et al., 2017): ReLU(sum_k mean(dy/dA_k) A_k) on ``stage``'s output, placed over the input."""
    twin = _hookable_twin(predictor.model)
    cam = LayerGradCam(lambda x: twin(predictor.normalize(x)), getattr(twin, stage)).attribute(
        pixels, target=target, relu_attributions=True
    )
    return _to_input_grid(cam.detach(), STAGE_STRIDE[stage], pixels.shape[-1])[0, 0]


def _hookable_twin(model: nn.Module) -> nn.Module:
    """A copy of ``model``'s modules that shares its weights, for captum to hook (under ``_attributing``).

    LayerGradCam hooks the stage module for the length of a call; on the shared model that hook would
    also catch other threads' forwards and mix up their activations. Made once per model.
    """
    if model not in _twins:
        shared = {id(t): t for t in itertools.chain(model.parameters(), model.buffers())}
        _twins[model] = copy.deepcopy(model, shared)
    return _twins[model]


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
