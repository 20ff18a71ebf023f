"""The training CLI for real, in subprocesses, on small subsets."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from huggingface_hub import ModelCard
from PIL import Image

import lenet
from lenet.browser_form import FORM_NAME, FORM_WEIGHTS_NAME
from lenet.checkpoint import CARD_NAME, read_config, read_manifest, read_training_state
from train import distributed
from train import run as train_run
from train.evaluate import evaluate_checkpoint
from train.publish import publish
from train.report import curves, write_evaluation

OUTPUTS = ["model.safetensors", "config.json", "last.pt", "metrics.json", "curves.png", "confusion.png", "misclassified.png",
           "evaluation.json", "mistakes.png"]
QUICK = ["--limit", "2000", "--batch-size", "64", "--val-size", "200"]


def run_train(*args, check=True, timeout=120, **kwargs):
    result = subprocess.run(
        [sys.executable, "-m", "train", *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if check and result.returncode:
        raise AssertionError(result.stdout + result.stderr)
    return result


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("dataset,model", [("mnist", "lenet5-1998"), ("fashion-mnist", "lenet5-modern"), ("cifar10", "lenet-cifar")])
def test_one_epoch_on_a_subset_writes_every_output_and_ships_as_a_hub_model_folder(tmp_path, data_dir, dataset, model):
    run = tmp_path / "run"
    run_train("--dataset", dataset, "--model", model, "--epochs", "1", "--out", str(run), *QUICK)
    assert sorted(p.name for p in run.iterdir()) == sorted(OUTPUTS)
    metrics = json.loads((run / "metrics.json").read_text())
    assert len(metrics["epochs"]) == 1 and 0 <= metrics["test_accuracy"] <= 1
    assert {"loss", "accuracy", "seconds", "images_per_second"} <= set(metrics["epochs"][0]["train"])
    meta = read_config(run)
    assert meta["config"]["dataset"] == dataset and meta["command"].startswith("python -m train --dataset")
    result = evaluate_checkpoint(str(run), limit=2000)
    assert result["accuracy"] == pytest.approx(meta["test_accuracy"], abs=1e-6)
    entry = publish(run, tmp_path / "shipped")
    card = ModelCard.load(tmp_path / "shipped" / f"{dataset}-{model}" / CARD_NAME)  # as the Hub reads it
    (tested,) = card.data.eval_results
    assert tested.metric_value == round(meta["test_accuracy"], 4) and tested.dataset_type == lenet.dataset_spec(dataset).hub_id
    assert entry["command"] in card.text and read_manifest(tmp_path / "shipped") == [entry]
    shipped = tmp_path / "shipped" / f"{dataset}-{model}"
    assert json.loads((shipped / FORM_NAME).read_text())["model"] == model and (shipped / FORM_WEIGHTS_NAME).is_file()
    evaluation = json.loads((shipped / "evaluation.json").read_text())
    assert sum(row[i] for i, row in enumerate(evaluation["confusion"])) / evaluation["images"] == pytest.approx(meta["test_accuracy"], abs=1e-6)


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_learns(tmp_path, data_dir, precision):
    run_train("--model", "lenet5-modern", "--epochs", "2", "--precision", precision, "--out", str(tmp_path), *QUICK)
    assert json.loads((tmp_path / "metrics.json").read_text())["test_accuracy"] > 0.8
    assert f"--precision {precision}" in read_config(tmp_path)["command"]


@pytest.mark.data
@pytest.mark.slow
def test_resume_after_kill_reaches_the_same_weights(tmp_path, data_dir):
    args = ["--model", "lenet5-modern", "--epochs", "4", "--deterministic", "--device", "cpu", *QUICK]
    run_train(*args, "--out", str(tmp_path / "straight"))

    killed = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "train", *args, "--out", str(killed)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (killed / "last.pt").exists() and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted_at = read_training_state(killed / "last.pt")["epoch"]
    assert interrupted_at < 4, "the run finished before it could be killed"

    run_train(*args, "--out", str(killed), "--resume", str(killed / "last.pt"))
    straight, resumed = read_training_state(tmp_path / "straight" / "last.pt"), read_training_state(killed / "last.pt")
    assert resumed["epoch"] == 4
    for name, tensor in straight["state_dict"].items():
        assert torch.equal(tensor, resumed["state_dict"][name]), name
    assert [row["test"] for row in straight["history"]] == [row["test"] for row in resumed["history"]]


@pytest.mark.data
@pytest.mark.slow
def test_torchrun_two_cpu_processes_write_one_checkpoint(tmp_path, data_dir):
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "train", "--model", "lenet5", "--epochs", "1", "--device", "cpu", "--out", str(tmp_path), *QUICK],
        capture_output=True, text=True, timeout=180, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS)
    assert "x 2 processes" in read_config(tmp_path)["machine"]
    assert result.stdout.count("best epoch") == 1  # only rank 0 reports


def test_a_one_process_torchrun_group_is_left_cleanly(monkeypatch):
    # torchrun --nproc_per_node 1 joins a group without DDP; NCCL warns at exit if it is never destroyed.
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "0")  # any free port
    env = distributed.setup(torch.device("cpu"))
    assert torch.distributed.is_initialized() and not env.enabled
    distributed.teardown()
    assert not torch.distributed.is_initialized()


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "lenet6"], "unknown model 'lenet6'; choose one of: lenet5-1998, lenet5, lenet5-modern, lenet-cifar"),
        (["--dataset", "imagenet"], "unknown dataset 'imagenet'; choose one of: mnist, fashion-mnist, cifar10"),
        (["--data-dir", "/nonexistent", "--no-download"], "mnist not found under /nonexistent"),
        (["--data-dir", "/nonexistent"], "could not download MNIST digits from torchvision's mirrors (cannot reach "),
        (["--optimizer", "lion"], "unknown optimizer 'lion'; choose one of: sgd, adam, adamw"),
        (["--precision", "fp8"], "unknown precision 'fp8'; choose one of: fp32, bf16"),
        (["--batch-size", "0"], "--batch-size must be at least 1, not 0"),
        (["--preset", "paper", "--dataset", "cifar10"], "preset 'paper' has no recipe for cifar10; it has: mnist"),
    ],
)
def test_bad_input_is_one_clear_line(args, message, data_dir):
    result = run_train(*args, "--epochs", "1", check=False)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.data
@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_asking_for_a_missing_gpu_is_one_clear_line(data_dir):
    result = run_train("--device", "cuda", "--epochs", "1", check=False)
    assert result.returncode != 0 and "no CUDA device is available" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.data
@pytest.mark.slow
def test_resume_from_another_model_is_refused(tmp_path, data_dir):
    run_train("--model", "lenet5", "--epochs", "1", "--out", str(tmp_path), *QUICK)
    result = run_train("--model", "lenet5-modern", "--resume", str(tmp_path / "last.pt"), *QUICK, check=False)
    assert result.returncode != 0 and "holds lenet5 on mnist" in result.stderr and "Traceback" not in result.stderr


def test_help_explains_every_flag():
    text = run_train("--help").stdout
    for flag in ["--epochs", "--lr", "--seed", "--device", "--optimizer", "--schedule", "--augment", "--resume", "--limit", "--preset"]:
        assert flag in text


def test_machine_name_without_proc_cpuinfo(tmp_path, monkeypatch):
    # macOS and Windows have no /proc/cpuinfo; naming the machine must not stop a run there.
    monkeypatch.setattr(train_run, "CPUINFO", tmp_path / "no-cpuinfo")
    monkeypatch.setattr(train_run.platform, "processor", lambda: "arm")
    assert train_run.machine_name(torch.device("cpu"), 2).startswith("arm, ")


def test_curves_leave_out_a_split_that_was_not_held_out():
    row = {"loss": 1.0, "accuracy": 0.5}
    history = [{"epoch": e, "train": row, "val": {"loss": float("nan"), "accuracy": float("nan")}, "test": row} for e in (1, 2)]
    legend = [text.get_text() for text in curves(history).axes[0].get_legend().get_texts()]
    assert legend == ["train", "test"]


def test_the_evaluation_holds_the_surest_mistakes_first_and_no_picture_when_there_are_none(tmp_path):
    labels = torch.tensor([0, 1, 2, 1])
    probabilities = torch.tensor([[0.9, 0.1, 0.0], [0.3, 0.7, 0.0], [0.0, 0.6, 0.4], [0.8, 0.2, 0.0]])
    pixels = torch.rand(4, 1, 28, 28)
    write_evaluation(tmp_path, pixels, labels, probabilities)
    evaluation = json.loads((tmp_path / "evaluation.json").read_text())
    assert evaluation["confusion"] == [[1, 0, 0], [1, 1, 0], [0, 1, 0]]
    assert [(m["index"], m["true"], m["predicted"]) for m in evaluation["mistakes"]] == [(3, 1, 0), (2, 2, 1)]
    assert Image.open(tmp_path / "mistakes.png").size == (2 * 28, 28)
    perfect = tmp_path / "perfect"
    perfect.mkdir()
    write_evaluation(perfect, pixels, probabilities.argmax(1), probabilities)
    assert json.loads((perfect / "evaluation.json").read_text())["mistakes"] == [] and not (perfect / "mistakes.png").exists()


def test_publishing_a_run_without_its_evaluation_says_how_to_make_it_and_ships_nothing(tmp_path):
    run = tmp_path / "run"
    meta = {"model": "lenet5", "dataset": "mnist", "in_channels": 1, "classes": [str(d) for d in range(10)],
            "mean": [0.1307], "std": [0.3081]}
    lenet.save_pretrained(run, lenet.create_model("lenet5"), meta)
    with pytest.raises(lenet.LenetError, match="lacks evaluation.json, curves.png.*--save writes evaluation.json"):
        publish(run, tmp_path / "shipped")
    assert not (tmp_path / "shipped").exists()


def test_saving_an_evaluation_of_part_of_the_test_set_is_refused(tmp_path):
    with pytest.raises(lenet.LenetError, match="without --limit"):
        evaluate_checkpoint(str(tmp_path), limit=10, save=True)


def test_zero_epochs_is_one_clear_line():
    from train.config import parse_config

    with pytest.raises(lenet.LenetError, match="--epochs must be at least 1, not 0"):
        parse_config(["--epochs", "0"])
