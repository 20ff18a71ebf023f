import torch
import torch.nn.functional as F

from lenet.augment import Augmentation
from lenet.datasets import DATASETS
from lenet.degrade import add_frames, gaussian_blur, round_trip
from lenet.transforms import affine_grid


def test_no_distortion_is_the_identity():
    images = torch.rand(4, 1, 32, 32)
    torch.testing.assert_close(Augmentation()(images, torch.Generator().manual_seed(0)), images, atol=1e-5, rtol=0)


def test_integer_shift_is_an_exact_crop_of_the_padded_image():
    images = torch.rand(64, 3, 32, 32)
    crops_and_flips = Augmentation(shift=4, hflip=True, integer_shift=True)
    out = crops_and_flips(images, torch.Generator().manual_seed(0))
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


def test_degrading_keeps_the_rest_of_the_batch_and_stays_in_range():
    images = torch.rand(64, 3, 32, 32)
    out = Augmentation(degrade=0.5)(images, torch.Generator().manual_seed(0))
    untouched = (out == images).flatten(1).all(dim=1)
    assert 10 < int(untouched.sum()) < 54  # about half goes through, each image on its own draw; the rest bit for bit
    assert out.min() >= 0 and out.max() <= 1


def test_a_round_trip_through_an_upload_stays_close_to_the_image():
    image = torch.zeros(1, 1, 32, 32)
    image[..., 8:24, 12:20] = 1.0
    for enlarge, shrink in [("nearest", "area"), ("bicubic", "bilinear"), ("bilinear", "bicubic")]:
        back = round_trip(image, enlarge, 4, 75, shrink)
        assert (back - image).abs().mean() < 0.05, (enlarge, shrink)
    assert (round_trip(image, "nearest", 4, None, "area") - image).abs().max() < 1e-6  # exact when nothing is lost


def test_blur_is_per_image_and_keeps_brightness():
    images = torch.zeros(2, 1, 16, 16)
    images[:, :, 8, 8] = 1.0
    blurred = gaussian_blur(images, torch.tensor([0.0, 1.0]))
    assert torch.equal(blurred[0], images[0])
    assert blurred[1, 0, 8, 8] < 0.5 and abs(float(blurred[1].sum()) - 1.0) < 1e-4


def test_a_frame_is_flat_and_thin():
    images = torch.full((8, 3, 32, 32), 0.5)
    framed = add_frames(images, 1.0, torch.Generator().manual_seed(0))
    assert torch.equal(framed[:, :, 3:-3, 3:-3], images[:, :, 3:-3, 3:-3])
    assert all(len(torch.unique(f[:, 0, :].T, dim=0)) == 1 for f in framed)  # one colour along the top row

