"""Every word the app shows, in English and Korean (the tutorials this grew from are Korean).

Labels are ``gr.I18n`` keys that the browser translates by its language; text a
handler writes is picked by the request's ``Accept-Language`` (``language``).
"""
from __future__ import annotations

import string

import gradio as gr

from lenet.datasets import DATASETS

CLASSES_KO = {  # the classes of the datasets whose classes are words (MNIST's are digits)
    "fashion-mnist": ("티셔츠/탑", "바지", "풀오버", "드레스", "코트", "샌들", "셔츠", "운동화", "가방", "앵클부츠"),
    "cifar10": ("비행기", "자동차", "새", "고양이", "사슴", "개", "개구리", "말", "배", "트럭"),
}


def class_keys(dataset: str, names: tuple[str, ...]) -> dict[str, str]:
    return {f"class_{dataset}_{index}": name for index, name in enumerate(names)}


EN = {
    **{f"dataset_{name}": spec.display_name for name, spec in DATASETS.items()},
    **{key: name for dataset in CLASSES_KO for key, name in class_keys(dataset, DATASETS[dataset].classes).items()},
    "intro": "# LeNet Lab\nLeNet-5 (LeCun et al., 1998) and its descendants, side by side. Draw a digit or upload an "
             "image and watch each variant classify it, with the feature maps of its first (C1) and second (C3) "
             "convolution layers.",
    "tab_draw": "Draw", "tab_upload": "Upload", "tab_inside": "Look inside", "tab_models": "Models",
    "tab_train": "Train",
    "draw_label": "Draw a digit", "clear": "Clear", "undo": "Undo", "models": "Models",
    "draw_hint": "Draw a digit: the models answer as you draw.",
    "upload_label": "Image file", "upload_hint": "Upload an image.", "blank": "The image is blank.",
    "which_dataset": "Which kind of image is it? (picked from the image; yours to change)",
    "examples": "Real test images: click one",
    "cannot_classify": "<b>Cannot classify this image:</b> {error}",
    "unreadable_image": "this file is not an image we can read",
    "image_too_large": "the image is too large; the limit is {limit:,} pixels",
    "picked": "It looks like <b>{seen}</b> ({score:.0%} sure), so their models answer. Pick another kind above to "
              "override.",
    "looks_like_other": "⚠ This looks like <b>{seen}</b> ({score:.0%} sure), not {chosen}: the answers below may "
                        "mean little.",
    "looks_like_none": "⚠ This looks like none of the kinds of image these models learnt: the answers below are "
                       "guesses, not recognitions.",
    "pick_a_model": "Pick at least one model.",
    "one_says": "{model} says: <b>{label}</b>",
    "all_agree": "All {count} models agree: <b>{label}</b>",
    "disagree": "The models disagree:",
    "card_facts": "test accuracy {accuracy:.2%} · {params:,} parameters · {ms:.1f} ms",
    "photo_cleaned": "A photo: cleaned before the models saw it ({done}).",
    "photo_ink_darkened": "light ink on a dark ground turned dark on light", "photo_light_flattened": "light evened out",
    "photo_paper_found": "page found on the table",
    "photo_lines_removed": "ruled lines removed", "photo_digit_found": "small digit found in the frame",
    "like_most": "same as most", "unlike_most": "unlike most",  # a card's answer against the others'
    "maps_scale": "Colours: one scale per layer, from its lowest activation (dark) to its highest (yellow).",
    "lowest": "lowest", "highest": "highest", "your_image": "Your image",
    "form_failed": "This model could not be loaded into the page, so the server answers for it.",
    "seen": "What the network sees (32×32)",
    "c1_maps": "C1 feature maps", "c3_maps": "C3 feature maps",
    "inside_hint": "Draw or upload an image first: this tab looks inside the models at the last one.",
    "inside_now": "Looking inside the {count} {dataset} models at your last image.",
    "distorted": "The input, distorted",
    "rotation": "Rotation (degrees)", "shift_x": "Shift right (pixels)", "shift_y": "Shift down (pixels)",
    "scale": "Scale", "thickness": "Stroke thickness (pixels)", "noise": "Noise", "reset": "Reset distortions",
    "rotation_plot": "Confidence in the upright answer as the input turns",
    "saliency": "Saliency (SmoothGrad × input)", "grad_cam": "Grad-CAM on C3", "kernels": "Learned C1 kernels",
    "with_saliency": "{ms:.1f} ms with saliency",
    "blue": "blue", "orange": "orange", "green": "green", "red": "red",
    "low": "low", "high": "high", "slider": "the slider", "angle_axis": "rotation of the input (degrees)",
    "confidence_axis": "confidence in the upright answer", "unit_axis": "unit", "activation_axis": "activation (output of tanh/ReLU)",
    "stages": "Stage explorer: every layer of one variant", "variant": "Variant",
    "models_intro": "Every shipped model, with the training curves, confusion matrix and most confidently wrong "
                    "test images that `python -m train` wrote when it was made.",
    "curves": "Training curves", "confusion": "Confusion matrix", "misclassified": "Most confidently wrong",
    "curves_words": "Loss and accuracy after each epoch, on the training (`train`), held-out (`val`) and test (`test`) images.",
    "confusion_note": "A row for each true class, a column for each answer: {images:,} test images.",
    "mistakes_note": "True class → the model's answer, and how sure it was.",
    "mistake": "{true} → {answer}<br>{confidence:.0%}", "mistake_alt": "a {true}, answered {answer}, {confidence:.0%} sure",
    "no_mistakes": "The model got every test image right.",
    "no_evaluation": "No confusion matrix was saved with this model: `python -m train.evaluate --checkpoint {folder} --save` writes it.",
    "model_card": "### {model} on {dataset}\n- test accuracy: **{accuracy:.2%}**\n- published for comparison: {published}\n"
                  "- parameters: {params:,}\n- epochs: {epochs}\n- training: {minutes:.1f} min on {machine}\n\n"
                  "Reproduce: `{command}`",
    "card_machine": "{cpu}, threads: {threads}",
    **{f"published_{name}": spec.published for name, spec in DATASETS.items()},
    "train_intro": "Train your own LeNet on this machine's CPU and watch it learn: the loss falling, the C1 kernels "
                   "taking shape, the feature maps of one test image changing. When it finishes it joins the shipped "
                   "models in the Draw and Upload tabs (for this browser session), and you can download it.",
    "train_failed": "Training failed unexpectedly; the server log has the details.",
    "train_exploded": "The loss exploded ({loss}) at step {step}: try a smaller learning rate.",
    "downloading": "Downloading {name} to this server (once), then training…",
    "download_failed": "{name} could not be downloaded ({reason}); nothing was kept, so starting again tries again.",
    "dataset": "Dataset", "optimizer": "Optimizer", "learning_rate": "Learning rate", "batch_size": "Batch size",
    "epochs": "Epochs", "augment": "Augmentation (random distortions)", "activation": "Activation (lenet5)",
    "pooling": "Pooling (lenet5)", "start": "Start training", "stop": "Stop", "loss": "Loss", "accuracy": "Accuracy",
    "download": "Your model: lenet.from_pretrained(\"model.zip\"), or python -m train.evaluate --checkpoint model.zip",
    "own_model": "yours: {model} {optimizer} {learning_rate:g}, {epochs}, {accuracy:.1%}",
    "epoch_count": "{count:g} epoch", "epochs_count": "{count:g} epochs",
    "bad_choice": "{name} must be one of {allowed}, not {value}",
    "not_a_number": "{name} must be a number",
    "bad_learning_rate": "{name} must lie between {low:g} and {high:g}, not {value:g}",
    "bad_epochs": "{name} must be a whole number from 1 to {high}, not {value:g}",
    "train_curve": "train (running mean)", "test_curve": "test",
    "curves_caption": "Test: the first {count:,} test images, measured as it trains; the result counts the whole test set.",
    "epoch_axis": "epoch", "curve": "curve",
    "train_progress": "epoch {epoch}/{epochs} · step {step}/{steps} · loss {loss:.3f} · accuracy {accuracy:.1%}",
    "train_done": "Done in {seconds:.1f} s. <b>{name}</b> now answers beside the shipped models in the Draw and "
                  "Upload tabs.",
    "train_stopped": "Stopped after {seconds:.1f} s, keeping what it had learnt. <b>{name}</b> now answers beside the "
                     "shipped models in the Draw and Upload tabs.",
}

KO = {
    "dataset_mnist": "MNIST 손글씨 숫자", "dataset_fashion-mnist": "Fashion-MNIST 옷", "dataset_cifar10": "CIFAR-10 사물",
    **{key: name for dataset, names in CLASSES_KO.items() for key, name in class_keys(dataset, names).items()},
    "intro": "# LeNet Lab\nLeNet-5(LeCun 외, 1998)와 그 후손들을 나란히 비교합니다. 숫자를 그리거나 이미지를 올리면 각 "
             "모델이 분류하는 모습과 첫 번째(C1), 두 번째(C3) 합성곱 층의 특징 맵을 볼 수 있습니다.",
    "tab_draw": "그리기", "tab_upload": "업로드", "tab_inside": "속 들여다보기", "tab_models": "모델",
    "tab_train": "학습",
    "draw_label": "숫자를 그려 보세요", "clear": "지우기", "undo": "되돌리기", "models": "모델",
    "draw_hint": "숫자를 그려 보세요. 그리는 동안 모델이 답합니다.",
    "upload_label": "이미지 파일", "upload_hint": "이미지를 올려 주세요.", "blank": "빈 이미지입니다.",
    "which_dataset": "어떤 종류의 이미지인가요? (이미지를 보고 골랐으며, 바꿀 수 있습니다)",
    "examples": "실제 테스트 이미지: 하나를 눌러 보세요",
    "cannot_classify": "<b>이 이미지는 분류할 수 없습니다:</b> {error}",
    "unreadable_image": "읽을 수 있는 이미지 파일이 아닙니다",
    "image_too_large": "이미지가 너무 큽니다. {limit:,} 픽셀까지 받습니다",
    "picked": "<b>{seen}</b>처럼 보여서({score:.0%} 확신) 그 모델들이 답합니다. 위에서 다른 종류를 고를 수 있습니다.",
    "looks_like_other": "⚠ 이 이미지는 {chosen:이/가} 아니라 <b>{seen}</b>처럼 보입니다({score:.0%} 확신). 아래 답은 "
                        "의미가 없을 수 있습니다.",
    "looks_like_none": "⚠ 이 이미지는 모델들이 배운 어떤 종류와도 닮지 않았습니다. 아래 답은 알아본 것이 아니라 "
                       "추측일 뿐입니다.",
    "pick_a_model": "모델을 하나 이상 고르세요.",
    "one_says": "{model}의 답: <b>{label}</b>",
    "all_agree": "모델 {count}개가 모두 같은 답: <b>{label}</b>",
    "disagree": "모델마다 답이 다릅니다:",
    "card_facts": "테스트 정확도 {accuracy:.2%} · 파라미터 {params:,}개 · {ms:.1f} ms",
    "photo_cleaned": "사진이라 모델에게 보여 주기 전에 정리했습니다 ({done}).",
    "photo_ink_darkened": "어두운 바탕의 밝은 글씨를 밝은 바탕의 어두운 글씨로 바꿈", "photo_light_flattened": "조명을 고르게 함",
    "photo_paper_found": "탁자 위의 종이를 찾음",
    "photo_lines_removed": "종이의 줄을 지움", "photo_digit_found": "화면 속 작은 숫자를 찾음",
    "like_most": "다수와 같음", "unlike_most": "다수와 다름",
    "maps_scale": "색: 층마다 하나의 척도로, 가장 낮은 활성값(어두움)부터 가장 높은 값(노랑)까지.",
    "lowest": "가장 낮음", "highest": "가장 높음", "your_image": "올린 이미지",
    "form_failed": "이 모델을 페이지에 불러오지 못해서 서버가 대신 답합니다.",
    "seen": "신경망이 보는 입력 (32×32)",
    "c1_maps": "C1 특징 맵", "c3_maps": "C3 특징 맵",
    "inside_hint": "먼저 그리거나 이미지를 올리세요. 이 탭은 마지막 입력으로 모델 속을 보여 줍니다.",
    "inside_now": "마지막 입력으로 {dataset} 모델 {count}개의 속을 들여다봅니다.",
    "distorted": "변형한 입력",
    "rotation": "회전 (도)", "shift_x": "오른쪽 이동 (픽셀)", "shift_y": "아래쪽 이동 (픽셀)",
    "scale": "크기", "thickness": "획 두께 (픽셀)", "noise": "잡음", "reset": "변형 초기화",
    "rotation_plot": "입력을 돌릴 때 원래 답에 대한 확신도",
    "saliency": "중요도 (SmoothGrad × 입력)", "grad_cam": "C3의 Grad-CAM", "kernels": "학습된 C1 커널",
    "with_saliency": "중요도 포함 {ms:.1f} ms",
    "blue": "파랑", "orange": "주황", "green": "초록", "red": "빨강",
    "low": "낮음", "high": "높음", "slider": "슬라이더", "angle_axis": "입력 회전 각도 (도)",
    "confidence_axis": "원래 답에 대한 확신도", "unit_axis": "유닛", "activation_axis": "활성값 (tanh/ReLU 출력)",
    "stages": "단계 탐색기: 한 모델의 모든 층", "variant": "모델",
    "models_intro": "함께 제공되는 모든 모델과, 학습할 때 `python -m train`이 남긴 학습 곡선, 혼동 행렬, 가장 자신 있게 "
                    "틀린 테스트 이미지입니다.",
    "curves": "학습 곡선", "confusion": "혼동 행렬", "misclassified": "가장 자신 있게 틀린 이미지",
    "curves_words": "에포크(`epoch`)마다 학습(`train`)·검증(`val`)·테스트(`test`) 이미지에서 잰 손실(`loss`)과 정확도(`accuracy`).",
    "confusion_note": "행은 정답, 열은 모델의 답입니다. 테스트 이미지 {images:,}장.",
    "mistakes_note": "정답 → 모델의 답, 그리고 그 답을 얼마나 확신했는지.",
    "mistake": "{true} → {answer}<br>{confidence:.0%}", "mistake_alt": "정답 {true}, 모델의 답 {answer}, 확신도 {confidence:.0%}",
    "no_mistakes": "모델이 모든 테스트 이미지를 맞혔습니다.",
    "no_evaluation": "이 모델에는 혼동 행렬이 저장되어 있지 않습니다. `python -m train.evaluate --checkpoint {folder} --save`로 만들 수 있습니다.",
    "model_card": "### {dataset}의 {model}\n- 테스트 정확도: **{accuracy:.2%}**\n- 비교할 만한 발표 결과: {published}\n"
                  "- 파라미터: {params:,}개\n- 에포크: {epochs}\n- 학습: {machine}에서 {minutes:.1f}분\n\n재현하기: `{command}`",
    "card_machine": "{cpu}, 스레드 {threads}개",
    "published_mnist": "LeNet-5, LeCun 외 1998: 99.05 %(왜곡을 더해 학습하면 99.2 %)",
    "published_fashion-mnist": "LeNet 방식의 튜토리얼들: 85–90 %", "published_cifar10": "LeNet 방식의 튜토리얼들: 60–70 %",
    "train_intro": "이 컴퓨터의 CPU로 나만의 LeNet을 학습시키고 배우는 모습을 지켜보세요: 손실이 줄고, C1 커널이 모양을 "
                   "갖추고, 테스트 이미지 하나의 특징 맵이 바뀝니다. 학습이 끝나면 이 브라우저 세션 동안 그리기·업로드 "
                   "탭에서 기본 모델들과 나란히 답하고, 내려받을 수도 있습니다.",
    "train_failed": "학습이 예기치 않게 실패했습니다. 자세한 내용은 서버 로그에 있습니다.",
    "train_exploded": "{step}번째 스텝에서 손실이 폭발했습니다({loss}). 학습률을 더 작게 해 보세요.",
    "downloading": "{name} 데이터를 이 서버에 내려받은 뒤(처음 한 번만) 학습합니다…",
    "download_failed": "{name} 데이터를 내려받지 못했습니다({reason}). 받은 것은 남기지 않았으니 다시 시작하면 다시 시도합니다.",
    "dataset": "데이터셋", "optimizer": "옵티마이저", "learning_rate": "학습률", "batch_size": "배치 크기",
    "epochs": "에포크", "augment": "데이터 증강 (무작위 변형)", "activation": "활성화 함수 (lenet5)",
    "pooling": "풀링 (lenet5)", "start": "학습 시작", "stop": "멈추기", "loss": "손실", "accuracy": "정확도",
    "download": "내 모델: lenet.from_pretrained(\"model.zip\") 또는 python -m train.evaluate --checkpoint model.zip",
    "own_model": "내 모델: {model} {optimizer} {learning_rate:g}, {epochs}, {accuracy:.1%}",
    "epoch_count": "{count:g} 에포크", "epochs_count": "{count:g} 에포크",
    "bad_choice": "{name:은/는} {allowed} 중 하나여야 합니다({value} 불가)",
    "not_a_number": "{name:은/는} 숫자여야 합니다",
    "bad_learning_rate": "{name:은/는} {low:g}에서 {high:g} 사이여야 합니다({value:g} 불가)",
    "bad_epochs": "{name:은/는} 1에서 {high} 사이의 정수여야 합니다({value:g} 불가)",
    "train_curve": "학습 (이동 평균)", "test_curve": "테스트",
    "curves_caption": "테스트: 학습 중에는 테스트 이미지 처음 {count:,}장으로 재고, 결과는 테스트 세트 전체로 셉니다.",
    "epoch_axis": "에포크", "curve": "곡선",
    "train_progress": "에포크 {epoch}/{epochs} · 스텝 {step}/{steps} · 손실 {loss:.3f} · 정확도 {accuracy:.1%}",
    "train_done": "{seconds:.1f}초 만에 끝났습니다. 이제 <b>{name}</b> 모델이 그리기·업로드 탭에서 기본 모델들과 나란히 "
                  "답합니다.",
    "train_stopped": "{seconds:.1f}초 만에 멈췄고, 그때까지 배운 것을 간직합니다. 이제 <b>{name}</b> 모델이 그리기·업로드 "
                     "탭에서 기본 모델들과 나란히 답합니다.",
}

TRANSLATIONS = {"en": EN, "ko": KO}
I18N = gr.I18n(**TRANSLATIONS)
DEFAULT_LANGUAGE = "en"


def label(key: str) -> gr.I18nData:
    """A component label or static text, translated in the browser."""
    return I18N(key)


def language(request: gr.Request | None) -> str:
    """The first language of the request's ``Accept-Language`` that the app speaks, else English."""
    accepted = request.headers.get("accept-language", "") if request is not None else ""
    for part in accepted.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in TRANSLATIONS:
            return code
    return DEFAULT_LANGUAGE


def dataset_label(dataset: str) -> gr.I18nData:
    """A dataset's name as a choice or label, translated in the browser."""
    return label(f"dataset_{dataset}")


def class_names(lang: str, dataset: str) -> list[str]:
    """A dataset's classes as ``lang`` names them (MNIST's are digits in every language)."""
    classes = DATASETS[dataset].classes
    return [text(lang, f"class_{dataset}_{i}") if dataset in CLASSES_KO else name for i, name in enumerate(classes)]


def dataset_name(lang: str, dataset: str) -> str:
    """A dataset's name in a handler's message."""
    return text(lang, f"dataset_{dataset}")


HANGUL_FIRST, HANGUL_SYLLABLES, HANGUL_FINALS = 0xAC00, 11172, 28  # Unicode's syllables: 28 finals (the first none)
FINAL_CONSONANT_SOUNDS = set("013678LMNRlmnr")  # 영 일 삼 육 칠 팔, 엘 엠 엔 알: read aloud, they end in a consonant


def ends_in_consonant(word: str) -> bool:
    """Whether ``word``, read aloud in Korean, ends in a consonant (a final, 받침): it picks the particle after it."""
    last = word.rstrip()[-1:] or " "
    if HANGUL_FIRST <= ord(last) < HANGUL_FIRST + HANGUL_SYLLABLES:
        return (ord(last) - HANGUL_FIRST) % HANGUL_FINALS != 0
    return last in FINAL_CONSONANT_SOUNDS


class Words(string.Formatter):
    """``str.format``, and a Korean particle that agrees with the word before it: ``{name:이/가}`` writes the name
    and then 이 after a final consonant, 가 after a vowel (the page's words.js does the same)."""

    def format_field(self, value: object, spec: str) -> str:
        if "/" in spec:
            after_consonant, after_vowel = spec.split("/")
            return f"{value}{after_consonant if ends_in_consonant(str(value)) else after_vowel}"
        return super().format_field(value, spec)


WORDS = Words()


def text(lang: str, key: str, **values: object) -> str:
    """A handler's message in ``lang``, with ``values`` filled in."""
    return WORDS.format(TRANSLATIONS.get(lang, EN)[key], **values)
