import torch
import torch.nn.functional as F

from lenet.augment import Augmentation
from lenet.datasets import DATASETS
from lenet.transforms import affine_grid


def test_no_distortion_is_the_identity():
    images = torch.rand(4, 1, 32, 32)
    torch.testing.assert_close(Augmentation()(images, torch.Generator().manual_seed(0)), images, atol=1e-5, rtol=0)


def test_integer_shift_is_an_exact_crop_of_the_padded_image():
    images = torch.rand(64, 3, 32, 32)
    out = DATASETS["cifar10"].augmentation(images, torch.Generator().manual_seed(0))
    for original, shifted in zip(images, out):
        candidates = [original, original.flip(-1)]
        padded = [torch.nn.functional.pad(c, (4, 4, 4, 4)) for c in candidates]
        found = any(torch.allclose(p[:, dy : dy + 32, dx : dx + 32], shifted, atol=1e-5) for p in padded for dy in range(9) for dx in range(9))
        assert found


def test_each_image_gets_its_own_distortion_reproducibly():
    images = torch.zeros(8, 1, 32, 32)
    images[:, :, 10:22, 14:18] = 1.0
    a = DATASETS["mnist"].augmentation(images, torch.Generator().manual_seed(1))
    b = DATASETS["mnist"].augmentation(images, torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert len({round(float((a[i] - a[0]).abs().sum()), 3) for i in range(8)}) == 8
    assert (a.sum(dim=(1, 2, 3)) - images.sum(dim=(1, 2, 3))).abs().max() < 0.3 * images[0].sum()  # ink is kept


def test_affine_grid_matches_torch_for_every_image():
    theta = torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(0))
    expected = F.affine_grid(theta, [5, 1, 32, 28], align_corners=False)
    assert torch.allclose(affine_grid(theta, 32, 28), expected, atol=1e-6)
