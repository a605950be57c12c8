"""Every piece of feedback text gdgrade shows, in English and Korean, in one place.

``say(key, language, **values)`` fills a message in the assignment's language. Korean
messages choose their particles from the word before them (``성분 0이``, ``성분 2가``), see
:func:`particle`. Known mistakes explain themselves in the catalog (:mod:`reference.mistakes`);
everything else a student or instructor reads is here.
"""

from __future__ import annotations

import re

EN: dict[str, str] = {
    "matches": "{label}: matches the reference",
    "matches on inputs": "{label}: matches the reference on {count} input(s)",
    "losses match": "{label}: losses match the reference",
    "passed probes": "passed ({count} probe{plural})",
    "first step ratio": "Your first step is {ratio}x the reference's. ",
    "departs at": "Step {step} departs from the reference.",
    "departs at component": (
        "Step {step} departs from the reference: component {component} is {yours}, "
        "the reference's is {theirs} (relative error {off})."
    ),
    "differs on input": "{label}: differs from the reference on input {index}{shown}",
    "yours and expected": " (yours {yours}, expected {theirs})",
    "returned count": "{label}: {name} returned {got} number(s), expected {want}",
    "pair expected": "{name} must return two arrays (lrs, losses)",
    "one array expected": "{name} returned {count} arrays, expected one",
    "changed w0": "{label}: {call} changed the w0 it was given in place; work on a copy",
    "changed inputs": "{label}: {call} changed its input w or g in place; return a new array instead",
    "inputs unchanged": "{label}: inputs are left unchanged",
    "state-outside-init": (
        "the same steps run twice gave different numbers: the optimizer keeps state outside what init returns "
        "(a global or shared step counter?)"
    ),
    "state-updated-in-place": (
        "two steps from the same state gave different results: the step changes the state it was given in place; "
        "return a new state instead"
    ),
    "fixed lr": (
        "every step moves as if the learning rate were {lr}, whatever lr is passed in (this probe passed {given}): "
        "is a global lr used instead of the argument?"
    ),
    "accepted form": "{label}: matches {form}, a form this assignment accepts",
    "class report title": "{assignment}: what the class got wrong ({count} students)",
    "class histogram title": "scores",
    "class histogram x": "score (% of the points)",
    "class question": "question",
    "class pass rate header": "students with every point",
    "class pass rate": "{rate} full marks",
    "class question heading": "{question}: {passed} of {total} students with every point",
    "class unnamed heading": "failed with no named mistake (where the catalog is blind)",
    "class hidden": "{count} student(s) failed only a hidden probe, with no named mistake: {students}",
    "class errors heading": "notebooks that could not be graded normally",
    "class mistakes heading": "most common mistakes:",
    "class mistake count": "{mistake} ({count})",
    "class unnamed count": "unnamed ({count})",
    "class errors count": "could not be run, so not counted above: {count} (see the table's notes)",
    "loss curve departs": "{label}: the loss curve departs at step {step}",
    "diverges like": "{label}: diverges like the reference",
    "converges like": "{label}: converges like the reference",
    "should diverge": "{label}: the run should diverge at this lr, but its loss stays at {loss} or below",
    "diverges wrongly": "{label}: the run diverges where the reference converges (final loss {loss})",
    "gradient matches": "{label}: gradient matches at {count} points",
    "gradient differs": "{label}: gradient differs at point {point}{hint}",
    "gradient factor": " (yours is {ratio}x the analytic gradient{why})",
    "two over n": ": the 2/N of the mean's derivative is missing?",
    "one-sided difference": (
        " (close, but off by {off} relative: a one-sided difference leaves an error proportional to h; "
        "use the central difference (f(w + h e_i) - f(w - h e_i)) / 2h)"
    ),
    "value shape": "{label}: expected shape {want}, got {got}",
    "value differs": "{label}: differs from index {index}",
    "batches fine": "{label}: every epoch partitions the data, shuffled anew",
    "not the permutation": "{label}: batches are valid but not rng.permutation(n) cut in order",
    "batch problem": "{label}: {problem}",
    "minibatch-with-replacement": "an epoch is not a partition of range(n)",
    "minibatch-drops-last": "the leftover examples are missing",
    "minibatch-no-shuffle": "the examples are not shuffled",
    "minibatch-same-order-every-epoch": "every epoch has the same order",
    "minibatch-unequal-sizes": "every epoch is a partition of range(n), but the batches have the wrong sizes",
    "mistake": "{label}: {text}",
    "hidden failed": "a hidden probe failed: {why}",
    "hidden why": "the result differs from the reference",
    "hidden raised": "your code raised an error on it",
    "hidden timeout": "your code did not finish in time",
    "hidden returned": "your code returned something of the wrong shape or type",
    "hidden missing": "a function it needs is not defined",
    "hidden forbidden": "your code used an API this question forbids",
    "hidden mutated": "your code changed an input array in place",
    "hidden tampered": "the grading code was interfered with",
    "hidden recursion": "your code recursed too deeply",
    "hidden broken": "the grading code could not run in your kernel",
    "forbidden in source": "{symbol} uses {module} (line {line} of its cell), which this question forbids",
    "word passed": "passed",
    "word failed": "FAILED",
    "word score": "score",
    "word why": "why",
    "checks failed": "{count} check(s) failed:",
    "page assignment": "Assignment {assignment}.",
    "page while running": "While running your notebook:",
    "page check": "check",
    "page score": "score",
    "page step": "step",
    "page input": "input",
    "page steps": (
        "In the tables and plots, step 0 is the start point (the parameters before any update) and "
        "step k comes after k updates."
    ),
    "page lr steps": (
        "The learning rate at step k is the one the update from step k to step k + 1 uses (your schedule's "
        "value at k, counted as torch's schedulers count), so a wrong lr at step k shows in the parameters "
        "from step k + 1."
    ),
    "page shown": 'Shown below: probe "{label}".',
    "page yours": "yours",
    "page reference": "reference",
    "page final": "{final} / {maximum} (after the late penalty; {raw} before it)",
    "page late": "Late by {late}: the late penalty takes {penalty} of the {raw} points the checks gave.",
    "page on": "{title} on {problem}",
    "page lr": "learning rate",
    "page loss": "loss",
    "hidden only autograde": "(hidden probes are graded by gdgrade autograde only; this ran the public ones)",
    "not graded": "not graded: the submission could not be run (the reason is given once, for the whole submission)",
    "page verdict": "verdict",
    "summary error": "**The notebook could not be graded normally:** {error}",
    "class count header": "n",
    "class student": "student",
}

KO: dict[str, str] = {
    "matches": "{label}: 기준과 일치합니다",
    "matches on inputs": "{label}: 입력 {count}개 모두 기준과 일치합니다",
    "losses match": "{label}: 손실이 기준과 일치합니다",
    "passed probes": "통과 (검사 {count}개)",
    "first step ratio": "첫 스텝이 기준의 {ratio}배입니다. ",
    "departs at": "{step}번째 스텝에서 기준과 달라집니다.",
    "departs at component": (
        "{step}번째 스텝에서 기준과 달라집니다: 성분 {component}{i_ga} {yours}, 기준은 {theirs}입니다(상대 오차 {off})."
    ),
    "differs on input": "{label}: 입력 {index}에서 기준과 다릅니다{shown}",
    "yours and expected": " (여러분의 값 {yours}, 기대한 값 {theirs})",
    "returned count": "{label}: {name}의 결과가 {got}개입니다. {want}개여야 합니다",
    "pair expected": "{name} 함수는 배열 두 개(lrs, losses)를 돌려줘야 합니다",
    "one array expected": "{name} 함수가 배열 {count}개를 돌려줬습니다. 하나여야 합니다",
    "changed w0": "{label}: {call} 함수가 받은 w0을 제자리에서 바꿨습니다. 복사본으로 작업하세요",
    "changed inputs": "{label}: {call} 함수가 입력 w나 g를 제자리에서 바꿨습니다. 새 배열을 돌려주세요",
    "inputs unchanged": "{label}: 입력을 바꾸지 않습니다",
    "state-outside-init": (
        "같은 스텝을 두 번 실행하니 결과가 달랐습니다. 옵티마이저가 init이 돌려준 상태 밖에 상태를 둡니다"
        "(전역 또는 공유 스텝 카운터?)"
    ),
    "state-updated-in-place": (
        "같은 상태에서 두 번 스텝을 밟으니 결과가 달랐습니다. 스텝이 받은 상태를 제자리에서 바꿉니다. "
        "새 상태를 돌려주세요"
    ),
    "fixed lr": (
        "전달된 lr과 상관없이 모든 스텝이 학습률 {lr}으로(로) 움직입니다(이 검사는 {given}을(를) 전달했습니다). "
        "인자 대신 전역 lr을 쓰고 있나요?"
    ),
    "accepted form": "{label}: 이 과제가 인정하는 형태인 {form}과(와) 일치합니다",
    "class report title": "{assignment}: 반 전체가 틀린 것 (학생 {count}명)",
    "class histogram title": "점수 분포",
    "class histogram x": "점수 (배점의 %)",
    "class question": "문제",
    "class pass rate header": "만점 학생",
    "class pass rate": "만점 {rate}",
    "class question heading": "{question}: {total}명 중 {passed}명 만점",
    "class unnamed heading": "이름 붙은 실수 없이 실패 (카탈로그가 모르는 실수)",
    "class hidden": "숨겨진 검사만 이름 없이 실패한 학생 {count}명: {students}",
    "class errors heading": "정상적으로 채점하지 못한 노트북",
    "class mistakes heading": "가장 흔한 실수:",
    "class mistake count": "{mistake} ({count}명)",
    "class unnamed count": "이름 없음 ({count}명)",
    "class errors count": "실행하지 못해 위에 세지 않은 학생: {count}명 (표의 메모 참고)",
    "loss curve departs": "{label}: 손실 곡선이 {step}번째 스텝에서 기준과 달라집니다",
    "diverges like": "{label}: 기준처럼 발산합니다",
    "converges like": "{label}: 기준처럼 수렴합니다",
    "should diverge": "{label}: 이 lr에서는 발산해야 하는데 손실이 {loss} 이하에 머뭅니다",
    "diverges wrongly": "{label}: 기준은 수렴하는데 발산합니다(마지막 손실 {loss})",
    "gradient matches": "{label}: 점 {count}개에서 그라디언트가 일치합니다",
    "gradient differs": "{label}: 점 {point}에서 그라디언트가 다릅니다{hint}",
    "gradient factor": " (해석적 그라디언트의 {ratio}배입니다{why})",
    "two over n": ": 평균의 미분에서 2/N이 빠졌나요?",
    "one-sided difference": (
        " (가깝지만 상대 오차가 {off}입니다: 한쪽 차분은 h에 비례하는 오차를 남깁니다. "
        "중앙 차분 (f(w + h e_i) - f(w - h e_i)) / 2h를 쓰세요)"
    ),
    "value shape": "{label}: 모양이 {want}이어야 하는데 {got}입니다",
    "value differs": "{label}: 인덱스 {index}부터 다릅니다",
    "batches fine": "{label}: 모든 에폭이 데이터를 나누고 매번 새로 섞습니다",
    "not the permutation": "{label}: 배치는 올바르지만 rng.permutation(n)을 차례로 자른 것이 아닙니다",
    "batch problem": "{label}: {problem}",
    "minibatch-with-replacement": "한 에폭이 range(n)의 분할이 아닙니다",
    "minibatch-drops-last": "남은 예제가 빠졌습니다",
    "minibatch-no-shuffle": "예제를 섞지 않았습니다",
    "minibatch-same-order-every-epoch": "모든 에폭의 순서가 같습니다",
    "minibatch-unequal-sizes": "모든 에폭이 range(n)의 분할이지만 배치 크기가 틀렸습니다",
    "mistake": "{label}: {text}",
    "hidden failed": "숨겨진 검사가 실패했습니다: {why}",
    "hidden why": "결과가 기준과 다릅니다",
    "hidden raised": "코드가 오류를 냈습니다",
    "hidden timeout": "코드가 제한 시간 안에 끝나지 않았습니다",
    "hidden returned": "코드가 돌려준 값의 모양이나 형식이 맞지 않습니다",
    "hidden missing": "필요한 함수가 정의되어 있지 않습니다",
    "hidden forbidden": "이 문제에서 금지한 API를 썼습니다",
    "hidden mutated": "입력 배열을 제자리에서 바꿨습니다",
    "hidden tampered": "채점 코드를 건드렸습니다",
    "hidden recursion": "재귀가 너무 깊습니다",
    "hidden broken": "채점 코드가 여러분의 커널에서 실행되지 못했습니다",
    "forbidden in source": "{symbol} 함수가 이 문제에서 금지한 {module} 모듈을 씁니다(셀의 {line}번째 줄)",
    "word passed": "통과",
    "word failed": "실패",
    "word score": "점수",
    "word why": "원인",
    "checks failed": "검사 {count}개를 통과하지 못했습니다:",
    "page assignment": "과제 {assignment}.",
    "page while running": "노트북을 실행하는 동안:",
    "page check": "검사",
    "page score": "점수",
    "page step": "스텝",
    "page input": "입력",
    "page steps": "표와 그림에서 스텝 0은 시작점(업데이트 전의 파라미터)이고, 스텝 k는 k번 업데이트한 뒤입니다.",
    "page lr steps": (
        "스텝 k의 학습률은 스텝 k에서 스텝 k + 1로 가는 업데이트가 쓰는 값, 곧 스케줄에 k를 넣은 값입니다(스케줄러가 "
        "세는 방식과 같습니다). 그래서 스텝 k의 학습률이 틀리면 파라미터는 스텝 k + 1부터 달라집니다."
    ),
    "page shown": '아래는 "{label}" 검사의 결과입니다.',
    "page yours": "내 값",
    "page reference": "기준",
    "page final": "{final} / {maximum} (지각 감점 후; 감점 전 {raw})",
    "page late": "{late} 늦게 냈습니다: 검사에서 받은 {raw}점 가운데 지각 감점으로 {penalty}점이 빠졌습니다.",
    "page on": "{title}, {problem}",
    "page lr": "학습률",
    "page loss": "손실",
    "hidden only autograde": "(숨겨진 검사는 gdgrade autograde에서만 채점합니다. 여기서는 공개 검사만 실행했습니다)",
    "not graded": "채점하지 못했습니다: 제출물을 실행할 수 없었습니다(원인은 제출물 전체에 대해 한 번만 적었습니다)",
    "page verdict": "판정",
    "summary error": "**노트북을 정상적으로 채점하지 못했습니다:** {error}",
    "class count header": "인원",
    "class student": "학생",
}

TABLES = {"en": EN, "ko": KO}
_DIGIT_FINAL = {
    "0": True,
    "1": True,
    "2": False,
    "3": True,
    "4": False,
    "5": False,
    "6": True,
    "7": True,
    "8": True,
    "9": False,
}  # fmt: skip  (영 일 이 삼 사 오 육 칠 팔 구: does it end in a consonant?)
PAIRS = {"이(가)": ("이", "가"), "은(는)": ("은", "는"), "을(를)": ("을", "를"), "과(와)": ("과", "와"),
         "으로(로)": ("으로", "로")}  # fmt: skip


def _ends_in_consonant(word: str) -> bool:
    """Whether a word, read in Korean, ends in a consonant (batchim)."""
    text = re.sub(r"[\s`'\")\]]+$", "", word)
    if not text:
        return False
    last = text[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28 != 0
    if last.isdigit():
        return _DIGIT_FINAL[last]
    return last.lower() in "lmnr"  # English names read in Korean: a consonant sound only after these


def particle(word: str, pair: str) -> str:
    """The particle of ``pair`` (``"이(가)"``, ``"은(는)"`` ...) that follows ``word``."""
    with_consonant, without = PAIRS[pair]
    if pair == "으로(로)" and word[-1:] and "가" <= word[-1] <= "힣" and (ord(word[-1]) - ord("가")) % 28 == 8:
        return without  # after ㄹ: 로
    return with_consonant if _ends_in_consonant(word) else without


def _choose_particles(text: str) -> str:
    """Replace every ``X이(가)``-style placeholder by the particle the word before it needs."""
    pattern = re.compile(r"(\S+?)(" + "|".join(re.escape(p) for p in PAIRS) + ")")
    return pattern.sub(lambda m: m.group(1) + particle(m.group(1), m.group(2)), text)


def say(key: str, language: str, **values) -> str:
    """The message ``key`` in ``language`` (English when there is no such table), filled in."""
    table = TABLES.get(language, EN)
    template = table.get(key, EN[key])
    if "{i_ga}" in template:
        values["i_ga"] = particle(str(values.get("component", "")), "이(가)")
    text = template.format(**values)
    return _choose_particles(text) if table is KO else text


def number(value: float, digits: int = 6) -> str:
    """A number as messages show it."""
    return f"{value:.{digits}g}"


# What the kernel and the sandbox say in English (they know no language), as a Korean
# assignment says it. Tried in order; the first pattern that matches the whole text wins, and
# what a group captured (a cell's number, a function's name, a reason) is localised in turn.
CALLED = r"[\w.]+(?:\([^()]*\))?"  # a name, maybe called: adam_step, adam_step(), step_decay(0)
NAME = rf"({CALLED}(?:, {CALLED})*)"  # what a message is about: functions, symbols
FILE = r"(\S(?:.*\S)?\.(?i:ipynb|py|zip))"  # a submission's file name: what the messages about reading it name
MISSING_MODULE = r" \(the grading environment does not have it; the student guide lists what it provides\)"
_KO_FAULTS = [
    (r"code cell (\d+) asked for keyboard input; grading has no keyboard, so the rest of it was skipped",
     "코드 셀 {0}이(가) 키보드 입력(input())을 기다렸습니다. "
     "채점에는 키보드가 없으므로 그 셀의 나머지는 건너뛰었습니다"),
    (r"code cell (\d+) ran past the ([\d.e+-]+) s limit", "코드 셀 {0}이(가) 제한 시간 {1}초를 넘겼습니다"),
    (r"code cell (\d+) raised ModuleNotFoundError: (.*)" + MISSING_MODULE,
     "코드 셀 {0}에서 ModuleNotFoundError가 났습니다: {1} "
     "(채점 환경에 없는 모듈입니다. 학생 안내서에 있는 것을 쓰세요)",
     {1}),
    (r"code cell (\d+) raised (\w+): (.*)", "코드 셀 {0}에서 {1} 오류가 났습니다: {2}", {2}),
    (r"code cell (\d+) raised (\w+)", "코드 셀 {0}에서 {1} 오류가 났습니다"),
    (r"code cell (\d+) printed more than grading keeps; the rest was dropped",
     "코드 셀 {0}의 출력이 채점이 보관하는 양보다 많아 나머지는 버렸습니다"),
    (r"the kernel died in code cell (\d+)", "코드 셀 {0}에서 커널이 죽었습니다"),
    (r"the kernel was restarted after code cell (\d+); the cells before it ran again",
     "코드 셀 {0} 다음에 커널을 다시 시작했고, 그 앞의 셀들을 다시 실행했습니다"),
    (r"the notebook ran past its total time limit", "노트북 전체가 제한 시간을 넘겼습니다"),
    (r"the kernel is no longer running", "커널이 더 이상 실행되고 있지 않습니다"),
    (r"the kernel died", "커널이 죽었습니다"),
    (r"the sandbox could not be prepared: (.+)", "샌드박스를 준비하지 못했습니다: {0}", {0}),
    (r"(\S+) has no question '(.+)'; use one of: (.+)", "{0}에는 '{1}' 문제가 없습니다. 다음 가운데 하나를 쓰세요: {2}",
     {0, 1, 2}),
    (r"still running code cell (\d+) \((.*)\); it may run up to ([\d.e+-]+) s",
     "코드 셀 {0}이(가) 아직 실행 중입니다({1}). 최대 {2}초까지 걸릴 수 있습니다", {1}),
    (NAME + r" is not defined because (.+)", "{0}이(가) 정의되지 않았습니다. 원인: {1}"),
    (NAME + r" is not defined \(an earlier cell failed: (.+)\)",
     "{0}이(가) 정의되어 있지 않습니다(앞의 셀이 실패했습니다: {1})"),
    (NAME + r" is not defined", "{0}이(가) 정의되어 있지 않습니다"),
    (NAME + r" is not implemented yet \(it still raises NotImplementedError\)",
     "{0}은(는) 아직 구현되지 않았습니다(여전히 NotImplementedError를 냅니다)"),
    (NAME + r" did not return within ([\d.e+-]+) s \(it ignored the interrupt, so the kernel was restarted\)",
     "{0}이(가) {1}초 안에 끝나지 않았습니다(인터럽트를 무시해서 커널을 다시 시작했습니다)"),
    (NAME + r" did not return within ([\d.e+-]+) s", "{0}이(가) {1}초 안에 끝나지 않았습니다"),
    (NAME + r" recursed too deeply", "{0}의 재귀가 너무 깊습니다"),
    (NAME + r" raised (\w+): (.*)", "{0}에서 {1} 오류가 났습니다: {2}", {2}),
    (NAME + r" returned shape (.+), expected (.+)", "{0}이(가) 모양 {1}을(를) 돌려주었습니다. 기대한 모양은 {2}입니다"),
    (NAME + r" returned (\w+), not numbers", "{0}이(가) 숫자가 아니라 {1}을(를) 돌려주었습니다"),
    (NAME + r" returned something that cannot be graded: (.+)", "{0}이(가) 채점할 수 없는 값을 돌려주었습니다: {1}",
     {1}),
    (NAME + r" uses (.+?) \(line (\d+) of its cell\), which this question forbids",
     "{0}이(가) 이 문제에서 금지한 {1}을(를) 씁니다(그 셀의 {2}번째 줄)"),
    (NAME + r" uses (.+), which this question forbids", "{0}이(가) 이 문제에서 금지한 {1}을(를) 씁니다"),
    (NAME + r": the grader's forbidden-API hook was removed or replaced during the call",
     "{0}: 호출 중에 채점기의 금지 API 감시 장치가 제거되거나 바뀌었습니다"),
    (NAME + r": the grader's torch.optim step hook was removed during the call",
     "{0}: 호출 중에 채점기의 torch.optim 감시 장치가 제거되었습니다"),
    (NAME + r": the kernel sent more than one answer \(tampered with\?\)",
     "{0}: 커널이 답을 두 번 이상 보냈습니다. 채점 코드를 건드렸습니까?"),
    (r"the kernel is gone, so " + NAME + r" could not run", "커널이 없어져서 {0}을(를) 실행하지 못했습니다"),
    (r"grading ran out of its ([\d.e+-]+) s before " + NAME + r" could run",
     "채점 시간 {0}초가 다 되어 {1}을(를) 실행하지 못했습니다"),
    # what the grader found wrong with a result that crossed (autograder.engine.student_code)
    (NAME + r" returned a value of the wrong type or shape: (.+)",
     "{0}이(가) 돌려준 값의 모양이나 형식이 맞지 않습니다: {1}"),
    (r"expected a float array, got (.+)", "float 배열이어야 하는데 {0}입니다"),
    (r"expected a float array of shape (\(.*\)), got (.+)", "모양이 {0}인 float 배열이어야 하는데 {1}입니다"),
    (r"expected a list of (\d+) epochs, got (.+)", "에폭 {0}개의 리스트여야 하는데 {1}입니다"),
    (r"expected each epoch as a list of integer index arrays", "각 에폭은 정수 인덱스 배열의 리스트여야 합니다"),
    (r"expected (\d+) results, got (.+)", "결과가 {0}개여야 하는데 {1}입니다"),
    (r"expected numbers for every input", "모든 입력에 대해 숫자를 돌려줘야 합니다"),
    (r"expected the parameters after every update or epoch, got (.+)",
     "매 업데이트나 에폭 뒤의 파라미터를 돌려줘야 하는데 {0}입니다"),
    (r"an? (\w+) array of shape (\(.*\))", "모양이 {1}인 {0} 배열"),
    (NAME + r": the record of calls from the kernel does not fit what was asked \(tampered with\?\)",
     "{0}: 커널이 보낸 호출 기록이 요청과 맞지 않습니다. 채점 코드를 건드렸습니까?"),
    (r"the result cannot be graded: (.+)", "결과를 채점할 수 없습니다: {0}"),
    (r"arrays of dtype (\w+) cannot be sent", "dtype이 {0}인 배열은 보낼 수 없습니다"),
    (r"the value is nested too deeply to send", "값이 너무 깊이 중첩되어 보낼 수 없습니다"),
    (r"an? (\w+) cannot be sent across the sandbox boundary", "{0} 값은 샌드박스 경계를 넘어 보낼 수 없습니다"),
    (r"the grader's code in the kernel failed \((.+)\)", "커널 안의 채점 코드가 실패했습니다({0})", {0}),
    (r"the grader could not attach to the kernel: it did not finish within ([\d.]+) s",
     "채점기가 커널에 연결하지 못했습니다: {0}초 안에 끝나지 않았습니다"),
    (r"the grader could not attach to the kernel: (.+)", "채점기가 커널에 연결하지 못했습니다: {0}", {0}),
    # a submission that cannot be read (after the rules above, which own students' messages)
    (FILE + r" is cut off: its JSON stops at line (\d+) before the notebook ends",
     "{0} 파일이 잘려 있습니다: 노트북이 끝나기 전에 JSON이 {1}번째 줄에서 멈춥니다", {0}),
    (FILE + r" is not a notebook: its JSON breaks at line (\d+), column (\d+) \((.+)\)",
     "{0}은(는) 노트북이 아닙니다: JSON이 {1}번째 줄 {2}번째 칸에서 깨져 있습니다({3})", {0}),
    (FILE + r" is not a notebook: its JSON is nested too deeply to read",
     "{0}은(는) 노트북이 아닙니다: JSON이 너무 깊이 중첩되어 읽을 수 없습니다", {0}),
    (FILE + r" is not a notebook: its JSON is a (\w+), not a notebook's object",
     "{0}은(는) 노트북이 아닙니다: JSON이 노트북 객체가 아니라 {1}입니다", {0, 1}),
    (r"Expecting value", "값이 있어야 할 자리입니다"),  # what Python's json module says, for the line above
    (r"Expecting ',' delimiter", "쉼표(,)가 있어야 할 자리입니다"),
    (r"Expecting ':' delimiter", "쌍점(:)이 있어야 할 자리입니다"),
    (r"Expecting property name enclosed in double quotes", "큰따옴표로 감싼 이름이 있어야 할 자리입니다"),
    (r"Extra data", "노트북이 끝난 뒤에 남는 내용이 있습니다"),
    (r"Invalid control character at", "JSON 문자열에 쓸 수 없는 제어 문자가 있습니다"),
    (r"Invalid \\escape", "잘못된 역슬래시 이스케이프가 있습니다"),
    (FILE + r" is not a valid notebook: (.+)", "{0}은(는) 올바른 노트북이 아닙니다: {1}", {0, 1}),
    (FILE + r" is empty", "{0} 파일이 비어 있습니다", {0}),
    (FILE + r" is not UTF-8 text \(byte (\d+)\)", "{0}은(는) UTF-8 텍스트가 아닙니다({1}번째 바이트)", {0}),
    (FILE + r" is a (\w+) notebook; gdgrade grades Python",
     "{0}은(는) {1} 노트북입니다. gdgrade는 파이썬 노트북만 채점합니다", {0, 1}),
    (r"(.+) holds no notebook or Python file to run \(a \.ipynb or \.py at its top\)",
     "{0}의 맨 위에 실행할 노트북이나 파이썬 파일(.ipynb, .py)이 없습니다", {0}),
    (r"(.+) is not a readable zip file: (.+)", "{0}은(는) 읽을 수 있는 zip 파일이 아닙니다: {1}", {0, 1}),
]  # fmt: skip
# (pattern, template, the groups kept verbatim: the student's own error text)
_KO_COMPILED = [(re.compile(rule[0], re.S), rule[1], rule[2] if len(rule) > 2 else set()) for rule in _KO_FAULTS]
_KEPT_AS_IS = re.compile(r"\d+|[\w.]+\(\)|.*[가-힣].*", re.S)  # numbers, names, text that is Korean already


LOCALISE_DEPTH = 4  # messages nest a few levels (a symbol missing because a cell raised ...), never more


def localise(text: str, language: str, depth: int = 0) -> str:
    """A message from the kernel or the sandbox in the assignment's language (unknown ones as they are)."""
    if language != "ko" or not text or depth > LOCALISE_DEPTH:
        return text
    for pattern, template, verbatim in _KO_COMPILED:
        match = pattern.fullmatch(text)
        if match:
            parts = [part if index in verbatim or _KEPT_AS_IS.fullmatch(part) else localise(part, language, depth + 1)
                     for index, part in enumerate(match.groups())]  # fmt: skip
            return _choose_particles(template.format(*parts))
    return text
