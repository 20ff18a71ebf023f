"""Training your own LeNet through the app: the /train API, its limits, a loss that explodes, stopping early."""
import re
import threading
from types import SimpleNamespace

import pytest
from gradio_client import Client

import lenet
from demo.tabs.train import failure
from demo.training import Finished, Recipe, TrainingJob
from train.engine import Progress

SUBSET = 2000  # images of each split: seconds, not minutes
EXPLODED = r"the loss exploded \((NaN|[\d,]+|∞)\) at step \d+: try a smaller learning rate"


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False, ssl_verify=False)


@pytest.mark.data
@pytest.mark.slow
def test_train_streams_progress_and_ends_with_the_test_accuracy(client):
    items = list(client.submit("mnist", "lenet5", "adam", 1e-3, 1, api_name="/train"))
    assert len(items) >= 2
    for item in items:
        assert {"epoch", "step", "steps", "loss", "accuracy"} <= set(item) and item["epoch"] == 1
    steps = [item["step"] for item in items]
    assert steps == sorted(steps) and steps[-1] == items[-1]["steps"]
    assert items[-1]["loss"] < items[0]["loss"]  # it learns
    assert 0.5 < items[-1]["test_accuracy"] <= 1 and items[-1]["seconds"] > 0


@pytest.mark.data
@pytest.mark.slow
def test_a_diverging_learning_rate_ends_with_a_plain_message(client):
    with pytest.raises(Exception, match=EXPLODED):
        client.predict("mnist", "lenet5-modern", "sgd", 100, 1, api_name="/train")


@pytest.mark.data
def test_a_saturating_tanh_net_whose_loss_soars_but_stays_finite_is_stopped_too():
    with pytest.raises(lenet.LenetError, match=EXPLODED) as stopped:
        list(TrainingJob(Recipe(model="lenet5", optimizer="sgd", learning_rate=10.0, limit=SUBSET)))
    step = stopped.value.step
    assert re.fullmatch(rf"{step}번째 스텝에서 손실이 폭발했습니다\(([\d,]+|NaN|∞)\)\. 학습률을 더 작게 해 보세요\.", failure(stopped.value, "ko"))
    assert failure(stopped.value, "en").startswith("The loss exploded (") and f"at step {step}:" in failure(stopped.value, "en")


@pytest.mark.parametrize("knobs,message,korean", [
    (dict(epochs=9), "Epochs must be a whole number from 1 to 5, not 9", "에포크는 1에서 5 사이의 정수여야 합니다(9 불가)"),
    (dict(learning_rate=1000.0), "Learning rate must lie between 1e-05 and 100, not 1000",
     "학습률은 1e-05에서 100 사이여야 합니다(1000 불가)"),
    (dict(dataset="cifar10"), "Dataset must be one of mnist, fashion-mnist, not cifar10",
     "데이터셋은 mnist, fashion-mnist 중 하나여야 합니다(cifar10 불가)"),
    (dict(optimizer="lion"), "Optimizer must be one of sgd, adam, not lion", "옵티마이저는 sgd, adam 중 하나여야 합니다(lion 불가)"),
])
def test_out_of_range_knobs_are_refused_before_anything_runs_in_the_visitors_language(knobs, message, korean):
    with pytest.raises(lenet.LenetError, match=re.escape(message)) as refused:
        Recipe(**knobs).check()
    assert failure(refused.value, "ko") == korean and failure(refused.value, "en") == message


def test_out_of_range_knobs_through_the_api_get_the_same_message(client):
    with pytest.raises(Exception, match="Epochs must be a whole number from 1 to 5"):
        client.predict("mnist", "lenet5", "adam", 1e-3, 9, api_name="/train")


def test_a_failed_download_is_told_in_the_visitors_language():
    error = lenet.DownloadError("mnist", "MNIST digits", "http://mirror", "HTTP Error 404: Not Found")
    assert failure(error, "en") == ("MNIST digits could not be downloaded (HTTP Error 404: Not Found); nothing was kept, "
                                    "so starting again tries again.")
    assert "MNIST 손글씨 숫자" in failure(error, "ko") and "내려받지 못했습니다" in failure(error, "ko")


def test_a_rejected_recipe_leaves_no_folder_and_no_job_behind():
    job = TrainingJob(Recipe(learning_rate=None))
    with pytest.raises(lenet.LenetError, match="Learning rate must be a number"):
        list(job)
    assert job.folder is None


@pytest.mark.data
def test_a_job_closed_early_stops_its_thread_and_deletes_its_folder():
    job = TrainingJob(Recipe(epochs=3, limit=SUBSET))
    updates = iter(job)
    next(updates)  # training has started
    updates.close()  # what Gradio does when the browser goes away
    assert job.stop.is_set() and not job.folder.exists()
    assert not demo_training_lock_held()


def demo_training_lock_held() -> bool:
    from demo.training import JOB_LOCK

    acquired = JOB_LOCK.acquire(blocking=False)
    if acquired:
        JOB_LOCK.release()
    return not acquired


@pytest.mark.data
def test_stop_ends_the_run_early_and_keeps_what_it_learnt():
    job = TrainingJob(Recipe(epochs=3, limit=SUBSET))
    seen: list[Progress] = []
    for update in job:
        if isinstance(update, Finished):
            break
        seen.append(update)
        job.stop.set()  # at the first report
    meta = update.predictor.meta
    assert update.stopped and meta["epoch"] == 1  # the partial first epoch, scored and kept
    assert 0 < meta["test_accuracy"] <= 1
    # Its end is where it stopped, not a whole epoch: in the curves' last points and in the model's name.
    assert all(p.step < p.steps for p in seen) and 0 < meta["epochs_trained"] < 1
    assert f", {meta['epochs_trained']:g} epochs, " in job.recipe.name(meta, "en")
    assert f", {meta['epochs_trained']:g} 에포크, " in job.recipe.name(meta, "ko")
    assert sorted(p.name for p in update.folder.iterdir()) == ["browser.f32", "browser.json", "config.json", "last.pt",
                                                               "model.safetensors"]  # the page runs it too
    assert update.form is not None and update.form.endswith("/browser.json")
    job.discard()
    assert not update.folder.exists()


@pytest.mark.data
def test_one_job_at_a_time(monkeypatch):
    import demo.training

    real_fit, active, most = demo.training.fit, [], []

    def counting_fit(*args, **kwargs):
        active.append(1)
        most.append(len(active))
        try:
            return real_fit(*args, **kwargs)
        finally:
            active.pop()

    monkeypatch.setattr(demo.training, "fit", counting_fit)
    jobs = [TrainingJob(Recipe(limit=SUBSET // 4)) for _ in range(2)]
    finished = []
    threads = [threading.Thread(target=lambda job=job: finished.append(list(job)[-1])) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == [1, 1] and all(isinstance(last, Finished) for last in finished) and len(finished) == 2
    for job in jobs:
        job.discard()


@pytest.fixture(scope="module")
def train_tab():
    import gradio as gr

    from demo.tabs.draw import DrawTab
    from demo.tabs.train import TrainTab
    from demo.tabs.upload import UploadTab
    from demo.zoo import Zoo

    with gr.Blocks():
        zoo, current, yours = Zoo.load(), gr.State(), gr.State({})
        draw, upload = DrawTab(zoo, current, yours), UploadTab(zoo, current, yours)
        return TrainTab(yours, draw, upload, limit=SUBSET)


def run_tab(tab, lang: str, **knobs) -> list[dict]:
    recipe = Recipe(**knobs)
    visitor = SimpleNamespace(headers={"accept-language": lang}, session_hash=f"test-{lang}")
    return list(tab.on_start(recipe.dataset, recipe.model, recipe.optimizer, recipe.learning_rate, recipe.batch_size,
                             recipe.epochs, recipe.augment, recipe.activation, recipe.pooling, "mnist", {}, visitor))


def test_a_learning_rate_out_of_range_is_told_in_words_not_a_red_error_badge(train_tab):
    [update] = run_tab(train_tab, "ko", learning_rate=1000.0)
    assert update[train_tab.status] == '<p class="train-error">학습률은 1e-05에서 100 사이여야 합니다(1000 불가)</p>'


@pytest.mark.data
def test_the_curves_show_the_test_accuracy_the_result_reports(train_tab):
    updates = run_tab(train_tab, "en")
    table = updates[-1][train_tab.accuracy_plot]
    test = table[table["curve"] == "test"]
    train = table[table["curve"] == "train (running mean)"]
    assert len(test) >= 2 and len(train) >= 2  # a line each, not a lone point
    assert test["epoch"].max() == train["epoch"].max() == 1.0
    final = next(iter(updates[-1][train_tab.yours].values())).predictor.meta["test_accuracy"]
    assert abs(test["accuracy"].iloc[-1] - final) < 0.05  # the first 1,000 test images against all of them
