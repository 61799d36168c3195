"""Every word bpderive's figures draw by themselves, in English and Chinese, in one place.

Each text is an ``(English, Chinese)`` pair of ``str.format`` templates, chosen by
:func:`bpderive.language.pick` when a figure is drawn: the plots of training runs
(:mod:`bpderive.display.plotting`), what a trained network computes
(:mod:`bpderive.display.learned`), the picture of gradient descent
(:mod:`bpderive.display.descent`) and the network diagram (:mod:`bpderive.display.diagram`).
Names a learner types (``max_fail``, ``mu_max``, ``val_cost``, ``x1``) and formulas (``E(w)``,
``dE/dw``) stay as they are in both languages. The Chinese uses the article's and the
notebooks' terms: 训练周期 (epoch), 代价 (cost), 验证集 (validation set), 学习率 (learning rate),
输入层 / 隐含层 / 输出层, 切线 and 斜率 (tangent, slope), 决策边界 (decision boundary), 类别
(class), 阻尼系数 μ (Levenberg–Marquardt's damping).
"""

from __future__ import annotations

# ------------------------------------------------------------------ plots of training runs

TRAINING_COST = ("training cost", "训练代价")
VALIDATION_COST = ("validation cost", "验证集代价")
#: The dots of an early-stopping rule, by rule (:data:`~bpderive.display.plotting.STOP_RULES`).
COUNTED = {
    "max_fail": ("max_fail counts: above its best", "max_fail 计数：高于此前最低值"),
    "max_rises": ("max_rises counts: rose again", "max_rises 计数：比上一个训练周期升高"),
}
LONGEST = {
    "max_fail": (
        "max_fail counts: its longest run, {count}",
        "max_fail 计数：最长的一段，{count} 次",
    ),
    "max_rises": (
        "max_rises counts: its longest run, {count} rises in a row",
        "max_rises 计数：最长的一段，连续升高 {count} 次",
    ),
}
BEST_EPOCH = ("best validation (epoch {epoch})", "验证集代价最低（第 {epoch} 个训练周期）")
NO_STEP = ("no step lowered the cost (μ > mu_max)", "没有一步能降低代价（μ > mu_max）")
REJECTED = ("step rejected (adaptive rate)", "这一步被拒绝（自适应学习率）")
STOP = ("stop: {reason}, epoch {epochs}", "第 {epochs} 个训练周期停止：{reason}")
RUN = (
    "{label} (stop: {reason}, epoch {epochs})",
    "{label}（第 {epochs} 个训练周期停止：{reason}）",
)
EPOCH = ("epoch", "训练周期")
#: The epoch axis drawn logarithmically, where epoch 0 is drawn at 1.
EPOCH_PLUS_ONE = ("epoch + 1", "训练周期 + 1")
GOAL = ("goal = {goal:g}", "目标 goal = {goal:g}")
HISTORY_TITLE = ("Training history", "训练历史")
COSTS_TITLE = ("Training cost", "训练代价")
#: A :class:`~bpderive.training.History` column on a cost axis; in English any other column is
#: shown by its own name, as before.
COLUMNS = {
    "cost": ("cost E (mean of E_total)", "代价 E（E_total 的平均值）"),
    "val_cost": ("val_cost", "验证集代价"),
    "eta1": ("learning rate η1", "学习率 η1"),
    "eta2": ("eta2", "学习率 η2"),
    "mu": ("damping μ", "阻尼系数 μ"),
    "grad_norm": ("grad_norm", "梯度的范数"),
    "val_fail": ("val_fail", "val_fail 计数"),
    "val_rises": ("val_rises", "val_rises 计数"),
}
#: Why a run stopped (:data:`bpderive.training.loop.STOP_REASONS`), as a legend says it: the
#: English gives the reason's own name; the Chinese says it, keeping the argument's name.
REASONS = {
    "epochs": ("epochs", "训练周期数已满"),
    "goal": ("goal", "代价达到 goal"),
    "min_grad": ("min_grad", "梯度的范数低于 min_grad"),
    "max_fail": ("max_fail", "max_fail"),
    "max_rises": ("max_rises", "max_rises"),
    "diverged": ("diverged", "发散"),
    "mu_max": ("mu_max", "μ 超过 mu_max"),
}
#: An activation and its derivative (:func:`~bpderive.display.plotting.plot_activation`).
FUNCTION = ("f(x)", "激活函数 f(x)")
DERIVATIVE = ("f'(x)", "导数 f'(x)")
CLASS = ("class {k}", "类别 {k}")
#: What one-input networks compute (:func:`~bpderive.display.learned.plot_fits`).
FITS_TITLE = ("What the networks compute", "网络计算出的函数")
BOUNDARY_TITLE = ("Decision boundary", "决策边界")

# ------------------------------------------------------------------ gradient descent

TANGENT = ("tangent, slope dE/dw = {slope}", "切线，斜率 dE/dw = {slope}")
STEPS = ("steps w⁺ = w − {eta}·dE/dw", "每一步 w⁺ = w − {eta}·dE/dw")

# ------------------------------------------------------------------ initial weights, hidden size

#: The histograms of the hidden layers' outputs
#: (:func:`~bpderive.display.starts.plot_hidden_outputs`): the count's axis, and the
#: legend's title (without the units where the layers differ in width).
COUNT = ("count", "个数")
SAMPLES_UNITS = ("{n} samples × {units} units", "{n} 个样本 × {units} 个神经元")
SAMPLES = ("{n} samples", "{n} 个样本")
#: The sweep of hidden-layer sizes (:func:`~bpderive.display.hidden_size.plot_sweep`).
SWEEP_TITLE = ("Choosing the hidden-layer size on a validation set", "在验证集上选择隐含层的大小")
HIDDEN_UNITS = ("hidden units h", "隐含神经元数 h")
COST = ("cost", "代价")
NOISE_FLOOR = ("noise floor (expected)", "噪声下限（期望值）")
CHOSEN = ("chosen h = {h}", "选定的 h = {h}")

# ------------------------------------------------------------------ the network diagram

INPUT_LAYER = ("input layer", "输入层")
HIDDEN_LAYER = ("hidden layer", "隐含层")
#: One of several hidden layers, counted from the input.
NTH_HIDDEN_LAYER = ("hidden layer {k}", "第 {k} 个隐含层")
OUTPUT_LAYER = ("output layer", "输出层")
#: The diagram's title: the layer sizes joined by hyphens, then each layer's activation.
NETWORK = ("{sizes} network ({activations})", "{sizes} 网络（{activations}）")
#: What separates the activations' names in the title.
LIST_SEPARATOR = (", ", "、")
#: The key of a gradient's paths drawn on the diagram (:mod:`bpderive.display.paths`): each
#: ``{term}`` is a formula, drawn apart from the words.
PATHS = ("Paths of {term}:", "{term} 的各条路径：")
PATHS_SHARED = ("shared by every path: {term}", "各条路径共有：{term}")
THROUGH = (" (through {route})", "（经过 {route}）")
#: A path's mark in a verdict on a learner's answer.
PATH_STATUS = {
    "covered": ("covered: ", "已包含："),
    "missing": ("missing: ", "缺少："),
    "wrong": ("wrong: ", "有错："),
}

# ------------------------------------------------------------------ handwritten digits

#: The grid of digit images (:func:`~bpderive.display.digits.plot_digits`): its title, and the
#: title of a grid of mistakes, whose panels read "label → answer".
DIGITS_TITLE = (
    "{n} digits of 8 × 8 pixels, each with its label",
    "{n} 个 8 × 8 像素的数字及其标签",
)
MISTAKES_TITLE = (
    "{n} digits the network got wrong: label → the network's answer",
    "网络判错的 {n} 个数字：标签 → 网络的判断",
)
#: The confusion matrix (:func:`~bpderive.display.digits.plot_confusion`).
CONFUSION_TITLE = (
    "Confusion matrix: {wrong} of {n} samples wrong",
    "混淆矩阵：{n} 个样本中判错 {wrong} 个",
)
TRUE_DIGIT = ("label (the true digit)", "标签（真实的数字）")
PREDICTED_DIGIT = ("the network's answer (largest output)", "网络的判断（最大的输出）")
