import pytest
import torch
from torch import nn

from lenet.pooling import AvgPool2x2


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
