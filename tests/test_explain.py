"""Saliency that makes sense, and distortions that do what they say."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from demo.zoo import Zoo
from lenet.datasets import load_tensors
from lenet.explain import confidence_under_rotation, explain
from lenet.preprocess import dataset_pixels
from lenet.transforms import affine, distort, stroke_width

SAMPLES = 20
INK_SHARE = 0.9  # at least this much of the saliency mass lies on (or right next to) the ink
DELETED_FRACTION = 5  # erase 1/5 of the ink pixels
CONCURRENT_CALLS = 90  # enough to make the old, shared-hook race show up every time


@pytest.fixture(scope="module")
def mnist(data_dir):
    images, labels = load_tensors("mnist", data_dir, train=False, limit=SAMPLES)
    return dataset_pixels(images), labels


@pytest.fixture(scope="module")
def predictors():
    return Zoo.load().by_dataset["mnist"]


def near_ink(image: torch.Tensor) -> torch.Tensor:
    return stroke_width(image, 1)[0, 0] > 0.1  # the strokes and the pixels touching them


@pytest.mark.data
def test_gradient_saliency_lies_on_the_ink_and_picks_the_pixels_that_matter(mnist, predictors):
    pixels, labels = mnist
    generator = torch.Generator().manual_seed(0)
    for predictor in predictors.values():
        salient_drop, random_drop = 0.0, 0.0
        for image, label in zip(pixels, labels):
            image, label = image[None], int(label)
            heat = explain(predictor, image, label).saliency
            assert heat.shape == (32, 32) and heat.max() == pytest.approx(1.0)
            assert heat[near_ink(image)].sum() / heat.sum() > INK_SHARE
            ink = (image[0, 0] > 0).flatten().nonzero().flatten()
            k = len(ink) // DELETED_FRACTION
            by_saliency = heat.flatten()[ink].argsort(descending=True)[:k]
            at_random = torch.randperm(len(ink), generator=generator)[:k]
            before = confidence_under_rotation(predictor, image, [0.0], label)[0]
            for chosen, name in ((by_saliency, "salient"), (at_random, "random")):
                erased = image.clone().flatten()
                erased[ink[chosen]] = 0
                drop = before - confidence_under_rotation(predictor, erased.view_as(image), [0.0], label)[0]
                if name == "salient":
                    salient_drop += drop
                else:
                    random_drop += drop
        assert salient_drop > 2 * random_drop, predictor.name  # erasing the salient ink hurts far more


@pytest.mark.data
def test_grad_cam_on_c3_concentrates_near_the_ink(mnist, predictors):
    pixels, labels = mnist
    for predictor in predictors.values():
        shares, areas = [], []
        for image, label in zip(pixels, labels):
            heat = explain(predictor, image[None], int(label)).grad_cam
            assert heat.shape == (32, 32) and heat.max() == pytest.approx(1.0)
            mask = near_ink(image[None])
            shares.append(float(heat[mask].sum() / heat.sum()))
            areas.append(float(mask.float().mean()))
        assert sum(shares) > 1.5 * sum(areas), predictor.name  # well above what a uniform map would put there


@pytest.mark.data
def test_explaining_does_not_touch_the_shared_weights(mnist, predictors):
    for predictor in predictors.values():
        explain(predictor, mnist[0][:1], 7)
        assert all(p.grad is None for p in predictor.model.parameters()), predictor.name


@pytest.mark.data
def test_concurrent_explanations_match_a_lone_one(mnist, predictors):
    predictor = next(iter(predictors.values()))
    image, other = mnist[0][:1], mnist[0][1:2]
    alone = explain(predictor, image)

    def explain_or_predict(i: int) -> tuple[torch.Tensor, torch.Tensor] | None:
        if i % 3 == 2:  # plain forwards on the same model, in between
            confidence_under_rotation(predictor, other, [10.0])
            return None
        e = explain(predictor, image)
        return e.saliency, e.grad_cam

    with ThreadPoolExecutor(max_workers=3) as pool:
        for maps in pool.map(explain_or_predict, range(CONCURRENT_CALLS)):
            if maps is not None:
                assert torch.equal(maps[0], alone.saliency) and torch.equal(maps[1], alone.grad_cam)


@pytest.mark.data
def test_rotating_by_zero_changes_nothing(mnist, predictors):
    pixels = mnist[0][:1]
    torch.testing.assert_close(distort(pixels), pixels, atol=1e-5, rtol=0)
    predictor = next(iter(predictors.values()))
    label = int(mnist[1][0])
    unrotated = predictor.predict_pixels(pixels).probabilities[predictor.classes[label]]
    assert confidence_under_rotation(predictor, pixels, [0.0], label)[0] == pytest.approx(unrotated, abs=1e-5)


def test_rotation_turns_the_image():
    image = torch.zeros(1, 1, 32, 32)
    image[0, 0, 4:16, 15:17] = 1.0  # a bar pointing up from the centre
    turned = affine(image, torch.tensor([90.0]), torch.zeros(1), torch.zeros(1), torch.ones(1))[0, 0]
    left, right = turned[14:18, :16].sum(), turned[14:18, 16:].sum()
    assert max(left, right) > 5 * min(left, right)  # now horizontal


def test_thickness_and_noise():
    image = torch.zeros(1, 1, 32, 32)
    image[0, 0, 8:24, 16] = 1.0
    assert (distort(image, thickness=1) > 0.5).sum() == 3 * (16 + 2)  # a 3x3 dilation widens and lengthens the bar
    assert (distort(image, thickness=-1) > 0.5).sum() == 0
    noisy = distort(image, noise=0.2, seed=1)
    assert torch.equal(noisy, distort(image, noise=0.2, seed=1)) and (noisy - image).abs().mean() > 0.05
