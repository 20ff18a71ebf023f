"""The trainer's CPU speed-ups compute what the plain layers compute, and swap in without changing the weights."""
import pytest
import torch
from torch import nn

import lenet
from train.speedups import AvgPool2x2, WholeMapConv2d, speed_up_for_cpu


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("layout", [torch.channels_last, torch.contiguous_format])
@pytest.mark.parametrize("size", [(6, 28, 28), (16, 10, 10), (3, 7, 5)])
def test_values_and_gradients_are_bit_for_bit_those_of_avg_pool(dtype, layout, size):
    torch.manual_seed(0)
    x = torch.randn(4, *size).to(dtype).contiguous(memory_format=layout)
    ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, expected = AvgPool2x2()(ours), nn.AvgPool2d(2)(theirs)
    assert torch.equal(out, expected)
    upstream = torch.randn_like(expected)
    out.backward(upstream)
    expected.backward(upstream)
    assert torch.equal(ours.grad, theirs.grad)


@pytest.mark.parametrize("layout", [torch.channels_last, torch.contiguous_format])
@pytest.mark.parametrize("size", [5, 9])  # the kernel covers the map (one matrix product), or it does not (a convolution)
def test_whole_map_conv_is_the_convolution_with_the_same_parameters(layout, size):
    torch.manual_seed(0)
    reference = nn.Conv2d(16, 120, 5)
    ours = WholeMapConv2d(16, 120, 5)
    ours.load_state_dict(reference.state_dict())
    x = torch.randn(8, 16, size, size).contiguous(memory_format=layout)
    mine, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, expected = ours(mine), reference(theirs)
    assert out.shape == expected.shape
    torch.testing.assert_close(out, expected)
    upstream = torch.randn_like(expected)
    out.backward(upstream)
    expected.backward(upstream)
    torch.testing.assert_close(mine.grad, theirs.grad)
    torch.testing.assert_close(ours.weight.grad, reference.weight.grad)
    torch.testing.assert_close(ours.bias.grad, reference.bias.grad)


@pytest.mark.parametrize("name", ["lenet5", "lenet5-1998", "lenet5-modern", "lenet-cifar"])
def test_the_swap_keeps_the_state_dict_and_the_outputs(name):
    torch.manual_seed(0)
    in_channels = 3 if name == "lenet-cifar" else 1
    plain = lenet.create_model(name, in_channels=in_channels).eval()
    fast = lenet.create_model(name, in_channels=in_channels).eval()
    fast.load_state_dict(plain.state_dict())
    x = torch.randn(4, in_channels, 32, 32)
    speed_up_for_cpu(fast, x[:1])
    assert not fast.training
    assert {k: v.shape for k, v in fast.state_dict().items()} == {k: v.shape for k, v in plain.state_dict().items()}
    swapped = [type(m) for m in fast.modules() if isinstance(m, (AvgPool2x2, WholeMapConv2d))]
    assert (len(swapped) > 0) == (name in ("lenet5", "lenet5-1998", "lenet5-modern"))
    torch.testing.assert_close(fast(x), plain(x))


def test_only_the_convolution_over_whole_maps_is_swapped():
    model = lenet.create_model("lenet5")
    c5_weight = model.c5[0].weight
    speed_up_for_cpu(model, torch.zeros(1, 1, 32, 32))
    assert [type(m[0]) for m in (model.c1, model.c3, model.c5)] == [torch.nn.Conv2d, torch.nn.Conv2d, WholeMapConv2d]
    assert type(model.s2) is AvgPool2x2 and type(model.s4) is AvgPool2x2
    assert model.c5[0].weight is c5_weight  # the very same parameter: an optimizer built before or after sees it
