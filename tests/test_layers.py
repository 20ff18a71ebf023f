import pytest
import torch
from torch import nn

from lenet.layers import AvgPool2x2, WholeMapConv2d


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
