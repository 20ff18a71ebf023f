import pytest
import torch

import lenet
from lenet.models.lenet5_1998 import c3_connections
from lenet.models.prototypes import prototype_codes

# Table I of LeCun et al. (1998), copied from the paper: rows are S2 maps, columns C3 maps.
TABLE_I = """
X...XXX..XXXX.XX
XX...XXX..XXXX.X
XXX...XXX..X.XXX
.XXX..XXXX..X.XX
..XXX..XXXX.XX.X
...XXX..XXXX.XXX
"""

PAPER_PARAMS = {"c1": 156, "s2": 12, "c3": 1516, "s4": 32, "c5": 48120, "f6": 10164, "output": 0}


def test_registry_lists_the_four_variants_oldest_design_first_with_their_descriptions():
    assert lenet.list_models() == ["lenet5-1998", "lenet5", "lenet5-modern", "lenet-cifar"]
    assert lenet.model_description("lenet5-1998").startswith("The paper's LeNet-5")


def test_unknown_model_names_the_valid_ones():
    with pytest.raises(lenet.LenetError, match="lenet5-modern"):
        lenet.create_model("lenet6")


def test_registering_a_variant_is_one_decorated_function():
    @lenet.register_model("test-tiny")
    def tiny(in_channels=1, num_classes=10):
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(in_channels * 32 * 32, num_classes))

    try:
        assert "test-tiny" in lenet.list_models()
        assert lenet.create_model("test-tiny", in_channels=3)(torch.zeros(1, 3, 32, 32)).shape == (1, 10)
    finally:
        from lenet.registry import _REGISTRY

        del _REGISTRY["test-tiny"]


def test_lenet5_1998_has_exactly_the_papers_60000_parameters():
    model = lenet.create_model("lenet5-1998")
    assert lenet.count_parameters(model) == 60_000
    assert {name: lenet.count_parameters(getattr(model, name)) for name in PAPER_PARAMS} == PAPER_PARAMS


def test_c3_connections_match_table_one():
    table = torch.tensor([[c == "X" for c in row] for row in TABLE_I.split()])
    assert torch.equal(c3_connections().T, table)
    assert int(table.sum()) == 60


def test_c3_is_one_masked_convolution_that_ignores_unconnected_maps():
    model = lenet.create_model("lenet5-1998").eval()
    c3 = model.c3[0]
    x = torch.randn(1, 6, 14, 14)
    base = c3(x)
    for in_map in range(6):
        bumped = x.clone()
        bumped[0, in_map] += 1.0
        changed = (c3(bumped) - base).abs().amax(dim=(0, 2, 3)) > 0
        assert torch.equal(changed, c3_connections()[:, in_map])


def test_rbf_codes_are_fixed_plus_minus_one_buffers():
    model = lenet.create_model("lenet5-1998")
    codes = model.output.codes
    assert codes.shape == (10, 84) and set(codes.unique().tolist()) == {-1.0, 1.0}
    assert "output.codes" in model.state_dict() and not any(p is codes for p in model.parameters())
    assert torch.equal(codes, prototype_codes(10))
    assert len({tuple(row.tolist()) for row in codes}) == 10


def test_rbf_logit_is_minus_squared_distance():
    model = lenet.create_model("lenet5-1998")
    f6 = torch.randn(2, 84)
    expected = -torch.cdist(f6, model.output.codes) ** 2
    torch.testing.assert_close(model.output(f6), expected, rtol=1e-4, atol=1e-3)


LENET_SHAPES = {"c1": (6, 28, 28), "s2": (6, 14, 14), "c3": (16, 10, 10), "s4": (16, 5, 5), "c5": (120, 1, 1), "f6": (84,), "output": (10,)}


@pytest.mark.parametrize("name", ["lenet5-1998", "lenet5", "lenet5-modern"])
@pytest.mark.parametrize("in_channels", [1, 3])
def test_lenet5_stages_have_the_papers_shapes(name, in_channels):
    model = lenet.create_model(name, in_channels=in_channels).eval()
    stages = lenet.model_stages(model, torch.randn(2, in_channels, 32, 32))
    assert list(stages) == list(lenet.STAGE_NAMES)
    assert {k: tuple(v.shape[1:]) for k, v in stages.items()} == LENET_SHAPES


@pytest.mark.parametrize("in_channels", [1, 3])
def test_lenet_cifar_stages(in_channels):
    model = lenet.create_model("lenet-cifar", in_channels=in_channels).eval()
    x = torch.randn(2, in_channels, 32, 32)
    stages = lenet.model_stages(model, x)
    assert list(stages) == list(lenet.STAGE_NAMES)
    assert stages["c1"].shape[-2:] == (32, 32) and stages["c3"].shape[-2:] == (16, 16)
    assert stages["output"].shape == (2, 10)
    torch.testing.assert_close(stages["output"], model(x))


@pytest.mark.parametrize("name", ["lenet5-1998", "lenet5", "lenet5-modern", "lenet-cifar"])
def test_stage_output_equals_forward_and_gradients_flow(name):
    model = lenet.create_model(name).eval()
    x = torch.randn(3, 1, 32, 32)
    torch.testing.assert_close(lenet.model_stages(model, x)["output"], model(x))
    model.train()
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_modern_variant_has_batchnorm_dropout_and_relu():
    model = lenet.create_model("lenet5-modern")
    kinds = {type(m).__name__ for m in model.modules()}
    assert {"BatchNorm2d", "Dropout", "ReLU", "MaxPool2d"} <= kinds and "Tanh" not in kinds
