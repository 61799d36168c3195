"""Everything an assignment, its autograder and the class report say, in English and Chinese.

``(English, Chinese)`` pairs of ``str.format`` templates, as in
:mod:`bpderive.exercises.messages`; the Chinese uses the article's terms
(``notebooks/zh/STYLE.md``): 权值, 阈值, 神经元, 误差, 学习率, 例题, 学号.
"""

from __future__ import annotations

GIVEN = (
    "**Your numbers** (student ID `{student_id}`)\n\n{rows}\n"
    "* Learning rates: η1 = {eta1} (weights), η2 = {eta2} (biases)",
    "**你的数值**（学号 `{student_id}`）\n\n{rows}\n"
    "* 学习率：η1 = {eta1}（权值），η2 = {eta2}（阈值）",
)
#: The groups of the given numbers (:meth:`~bpderive.classroom.variant.Variant.rows`).
GROUPS = {
    "x": ("Inputs", "输入"),
    "target": ("Targets", "目标值"),
    "W1": ("Weights (input → hidden)", "权值（输入层 → 隐含层）"),
    "b1": ("Biases (hidden layer)", "阈值（隐含层）"),
    "W2": ("Weights (hidden → output)", "权值（隐含层 → 输出层）"),
    "b2": ("Biases (output layer)", "阈值（输出层）"),
}
#: Between a group's name and its numbers.
COLON = (": ", "：")

TITLE = (
    "# {name}: back-propagation, derived by hand\n\n"
    "The article's 2-3-2 network (logistic units, E_total = ½Σ(target − out)²). Write each "
    "answer as text between the quotes, with the article's names: `out_o1`, `net_h1`, "
    "`target_o1`, `x1`, `w5`, `w_(1,2)`, `b4`, `delta_o1` or `δ_o1`, and `* / + - ^` (or LaTeX). "
    "Deltas you have derived may be used, except the one asked for. The autograder checks each "
    "answer with bpderive and its feedback says which factor or path is wrong, with a first "
    "hint. While you work, run the test cell under your answer to see the same verdict, and "
    "`hint('w5', answer_w5, 2)` in a new cell for the next hint.",
    "# {name}：手推 BP\n\n"
    "文章的 2-3-2 网络（logistic 神经元，E_total = ½Σ(target − out)²）。每个答案写在引号之间，"
    "名称用文章的写法：`out_o1`、`net_h1`、`target_o1`、`x1`、`w5`、`w_(1,2)`、`b4`、"
    "`delta_o1` 或 `δ_o1`，运算用 `* / + - ^`（或 LaTeX）。已经推导出的 δ 可以直接用，"
    "所求的那个除外。自动评分用 bpderive 检查每个答案，反馈会指出哪个因子或哪条路径错了，"
    "并给出第一条提示。做题时运行答案下面的检查单元格就能看到同样的判定；"
    "在新单元格里运行 `hint('w5', answer_w5, 2)` 可以得到下一条提示。",
)

#: The comment of the locked cell that sets the language of everything bpderive shows.
SETUP = (
    "# bpderive's verdicts, hints and numbers in English",
    "# bpderive 的判定、提示和数值都用中文",
)
HINT_COMMENT = (
    "# hint('w5', answer_w5, 2): hint 2 on an answer",
    "# hint('w5', answer_w5, 2)：答案的第 2 条提示",
)

STUDENT_ID = (
    "Write your student ID between the quotes (it chooses your numbers below, so it must be "
    "your own).",
    "在引号之间写上你的学号（下面的数值由学号决定，所以必须是你自己的学号）。",
)

EXERCISE = ("## Exercise {k} · {label}", "## 练习 {k} · {label}")

WRITE = (
    "Write {label} in `answer_{slug}`.",
    "把 {label} 写在 `answer_{slug}` 里。",
)

#: What a target is: a weight (with the article's short name or not), a bias, a δ.
WEIGHT = (
    "{name} is the weight from {source} into {target}.",
    "{name} 是从 {source} 到 {target} 的权值。",
)
ALIAS = (
    "{alias} is the article's name for {name}, the weight from {source} into {target}.",
    "{alias} 是文章给 {name} 起的简写名，即从 {source} 到 {target} 的权值。",
)
BIAS = ("{name} is the bias of {target}.", "{name} 是 {target} 的阈值。")
DELTA = (
    "δ_{unit} = ∂E_total/∂net_{unit}, the delta of {unit}.",
    "δ_{unit} = ∂E_total/∂net_{unit}，即神经元 {unit} 的 δ。",
)

NUMBERS_HEADING = (
    "## By hand, on your own numbers\n\n"
    "Run the next cell: it shows your inputs, targets, weights and biases, drawn from your "
    "student ID. Compute on them, as the article's worked example does, {labels}, and write each "
    "as a number (not a formula). Keep four decimals in every intermediate result: a number is "
    "right within a relative 1e-3 or an absolute 5e-4 of the exact one.",
    "## 手算：用你自己的数值\n\n"
    "运行下一个单元格：它给出由你的学号决定的输入、目标值、权值和阈值。像文章的例题那样，"
    "用这些数值算出 {labels}，每个写成一个数（不是公式）。每一步的中间结果保留四位小数："
    "与精确值的相对误差不超过 1e-3 或绝对误差不超过 5e-4 即算正确。",
)

#: What the autograder says (an AssertionError's message, shown as the cell's feedback).
NO_ID = (
    "student_id: write your student ID between the quotes in the first answer cell.",
    "student_id：请在第一个答案单元格的引号之间写上你的学号。",
)
NOT_A_NUMBER = (
    "{label}: expected a number, got {given!r}.",
    "{label}：这里应该填一个数，你填的是 {given!r}。",
)
NOT_ANSWERED = (
    "{label}: not answered yet: write the number you computed in place of None.",
    "{label}：还没有作答：把你算出的数写在 None 的位置。",
)
WRONG_NUMBER = (
    "{label} = {given} is not right for your numbers (student ID {student_id!r}): recompute it "
    "from the quantities before it, keeping four decimals.",
    "{label} = {given} 与你的数值（学号 {student_id!r}）算出的结果不符：请用前面各量重新计算，"
    "中间结果保留四位小数。",
)
#: What is wrong with a hand-computed number, by :data:`~bpderive.classroom.hand.CODES`
#: (``not_a_number`` and ``wrong_number`` are above; ``carried_many`` is ``carried`` from more
#: than one earlier number); none gives the right value away.
NUMBER_FEEDBACK = {
    "carried": (
        "{label} = {given} follows from your {sources}, which is not right: correct {sources} "
        "first, and compute {label} again from it.",
        "{label} = {given} 是由你算出的 {sources} 推出的，但 {sources} 不对：先改正 {sources}，"
        "再由它重新计算 {label}。",
    ),
    "carried_many": (
        "{label} = {given} follows from your {sources}, which are not right: correct them "
        "first, and compute {label} again from them.",
        "{label} = {given} 是由你算出的 {sources} 推出的，但 {sources} 都不对：先改正它们，"
        "再由它们重新计算 {label}。",
    ),
    "number_sign": (
        "{label} = {given} has the right size and the wrong sign: check the sign of each "
        "factor (which comes first in out_o1 − target_o1?).",
        "{label} = {given} 的大小对了，符号错了：检查每个因子的符号（out_o1 − target_o1 "
        "中谁在前？）。",
    ),
    "update_sign": (
        "w5⁺ = {given} moves w5 up the gradient, where the error grows: the update subtracts, "
        "{rule}.",
        "w5⁺ = {given} 让 w5 沿梯度方向移动，误差会变大：更新要减去这一项，{rule}。",
    ),
    "no_learning_rate": (
        "w5⁺ = {given} leaves out the learning rate: {rule}, with η1 = {eta1}.",
        "w5⁺ = {given} 漏掉了学习率：{rule}，其中 η1 = {eta1}。",
    ),
    "number_factor": (
        "{label} = {given} is {ratio} times the right value: look for a factor 2 or ½ (the ½ "
        "of E_total = ½Σ(target − out)²).",
        "{label} = {given} 是正确值的 {ratio} 倍：找一找多出或漏掉的 2 或 ½（E_total = "
        "½Σ(target − out)² 中的 ½）。",
    ),
}
#: How the feedback says to ask for hint ``k`` (:func:`~bpderive.classroom.grading.hint`,
#: imported by the setup cell).
ASK = (
    "hint({target!r}, {answer}, {{k}}) in a new cell",
    "在新单元格里运行 hint({target!r}, {answer}, {{k}})",
)

#: The class report.
REPORT_HEAD = (
    "{name}: {n} submissions, mistakes by exercise",
    "{name}：共 {n} 份作业，各题的错误",
)
COLUMNS = (("exercise", "mistake", "count", "example"), ("练习", "错误", "人数", "例子"))
CHART_TITLE = (
    "{name}: mistakes per exercise ({n} submissions)",
    "{name}：各题的错误（共 {n} 份作业）",
)
BY_HAND = ("{label} (by hand)", "{label}（手算）")
CHART_AXIS = ("students", "学生人数")
NONE_WRONG = ("No mistakes.", "没有错误。")
MISMATCH = (
    "{folder}: the notebook's student_id is {given!r}, not the folder's student",
    "{folder}：笔记本里的学号是 {given!r}，与文件夹的学生不符",
)
NO_SUBMISSIONS = (
    "report: no autograded notebooks {pattern}; run nbgrader autograde {name} first",
    "report：没有找到自动评分后的笔记本 {pattern}；请先运行 nbgrader autograde {name}",
)
