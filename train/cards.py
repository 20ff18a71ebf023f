"""The YAML head of the model cards the training package writes (``README.md`` in a model folder).

huggingface_hub's ``ModelCardData`` writes it, so the Hub reads what we mean.
"""
from __future__ import annotations

from huggingface_hub import EvalResult, ModelCardData


def front_matter(datasets: list[str], tags: list[str], eval_results: list[EvalResult] | None = None,
                 model_name: str | None = None) -> str:
    """lenet-lab's PyTorch image classifiers, scored by accuracy; ``model_name`` names the ``eval_results``."""
    data = ModelCardData(library_name="pytorch", pipeline_tag="image-classification", tags=["lenet", "lenet-lab", *tags],
                         datasets=datasets, metrics=["accuracy"], model_name=model_name, eval_results=eval_results)
    return f"---\n{data.to_yaml()}\n---"
