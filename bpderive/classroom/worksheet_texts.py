"""What a paper worksheet, its answer key and ``bpderive worksheet`` say, in English and Chinese.

``(English, Chinese)`` pairs of ``str.format`` templates, as in :mod:`bpderive.classroom.texts`.
The sheet's texts are LaTeX; in those with ``{fields}``, LaTeX's own braces are doubled for
``format``. The messages are plain text for the terminal. The Chinese uses the article's terms
(``notebooks/zh/STYLE.md``): 权值, 阈值, 神经元, 误差, 学习率, 例题, 学号.
"""

from __future__ import annotations

#: The sheet's head and its running foot.
TITLE = ("{name}: back-propagation by hand", "{name}：手推 BP")
WHO = (
    r"Student ID: \texttt{{{student_id}}}\hfill Name: \rule{{6cm}}{{0.4pt}}",
    r"学号：\texttt{{{student_id}}}\hfill 姓名：\rule{{5cm}}{{0.4pt}}",
)
FOOT = (
    r"{name} \quad student ID \texttt{{{student_id}}} \quad page \thepage",
    r"{name}\quad 学号 \texttt{{{student_id}}}\quad 第 \thepage\ 页",
)
INTRO = (
    r"The article's 2-3-2 network: logistic units, "
    r"$E_{total} = \frac{1}{2}\sum (target - out)^2$. The numbers below are drawn from "
    r"your student ID: they are yours, not your neighbour's.",
    r"文章的 2-3-2 网络：logistic 神经元，$E_{total} = \frac{1}{2}\sum (target - out)^2$。"
    r"下面的数值由你的学号决定，每个人的都不一样。",
)

#: The student's numbers: a heading and one row label per group.
NUMBERS = ("Your numbers", "你的数值")
#: The learning rates' row, after the groups of :data:`~bpderive.classroom.texts.GROUPS`.
RATES = ("Learning rates", "学习率")
ETA1 = (r"$\eta_1 = {eta}$ (weights)", r"$\eta_1 = {eta}$（权值）")
ETA2 = (r"$\eta_2 = {eta}$ (biases)", r"$\eta_2 = {eta}$（阈值）")

#: The derivations.
DERIVE = (
    r"Derive each quantity with the chain rule, factor by factor, and end with one expression "
    r"in the article's names: $out_{o1}$, $net_{h1}$, $target_{o1}$, $x_1$, $w_5$, "
    r"$w_{(1,2)}$, $b_4$, $\delta_{o1}$, \dots{} Deltas you have derived may be used, except "
    r"the one asked for.",
    r"用链式法则逐个因子推导下列各量，最后写成一个只含文章记号的表达式："
    r"$out_{o1}$、$net_{h1}$、$target_{o1}$、$x_1$、$w_5$、$w_{(1,2)}$、$b_4$、"
    r"$\delta_{o1}$ 等。已经推导出的 $\delta$ 可以直接用，所求的那个除外。",
)
EXERCISE = ("Exercise {k}: ${label}$", "练习 {k}：${label}$")
DELTA = (
    r"${delta} = {definition}$, the delta of {unit}.",
    r"${delta} = {definition}$，即神经元 {unit} 的 $\delta$。",
)

#: The hand computation.
BY_HAND = ("Exercise {k}: by hand, on your numbers", "练习 {k}：手算，用你自己的数值")
BY_HAND_INTRO = (
    r"Compute each number as the article's worked example does and write it in its box. Keep "
    r"four decimals in every intermediate result: a number is right within a relative "
    r"$10^{-3}$ or an absolute $5\times 10^{-4}$ of the exact one.",
    r"像文章的例题那样算出下列各数，写在方框里。每一步的中间结果保留四位小数：与精确值的"
    r"相对误差不超过 $10^{-3}$ 或绝对误差不超过 $5\times 10^{-4}$ 即算正确。",
)

#: The answer key.
KEY_TITLE = ("{name}: answer key", "{name}：答案")
KEY_FOOT = (
    r"{name} \quad answer key \quad page \thepage",
    r"{name}\quad 答案\quad 第 \thepage\ 页",
)
KEY_INTRO = (
    r"Seed {seed}, {n} students. Each derivation as bpderive derives it, then every student's "
    r"numbers to four decimals; a student's number is right within a relative $10^{{-3}}$ or an "
    r"absolute $5\times 10^{{-4}}$.",
    r"种子 {seed}，共 {n} 名学生。先是 bpderive 推导出的各题过程与结果，再是每个学生的数值"
    r"（四位小数）；学生的数值与之相对误差不超过 $10^{{-3}}$ 或绝对误差不超过 "
    r"$5\times 10^{{-4}}$ 即算正确。",
)
KEY_RESULT = ("Answer:", "答案：")
KEY_NUMBERS = ("Every student's numbers", "每个学生的数值")
STUDENT_ID = ("Student ID", "学号")

#: What ``bpderive worksheet`` says after writing the .tex files (plain text).
WROTE = (
    "wrote {count} worksheet(s) and the answer key {key} in {out}",
    "已在 {out} 写好 {count} 份练习卷和答案 {key}",
)
MADE = (
    "typeset with {engine}: {count} PDFs in {out}",
    "已用 {engine} 排版：{count} 个 PDF，在 {out}",
)
NOT_TYPESET = (
    "--no-pdf: the PDFs were not made; run {engine} on the .tex files in {out}",
    "--no-pdf：没有生成 PDF；请在 {out} 里用 {engine} 排版 .tex 文件",
)
NO_ENGINE = (
    "{engine} not found: install TeX Live (Debian/Ubuntu: apt-get install {packages}) or MiKTeX; "
    "the .tex files are in {out}. The PDFs were not made.",
    "找不到 {engine}：请安装 TeX Live（Debian/Ubuntu：apt-get install {packages}）或 MiKTeX；"
    ".tex 文件在 {out}。PDF 没有生成。",
)
NO_CTEX = (
    "the LaTeX package ctex was not found (kpsewhich ctex.sty found nothing): install it "
    "(Debian/Ubuntu: apt-get install texlive-lang-chinese; else tlmgr install ctex, or MiKTeX's "
    "console); the .tex files are in {out}. The PDFs were not made.",
    "找不到 LaTeX 宏包 ctex（kpsewhich ctex.sty 没有找到）：请安装它（Debian/Ubuntu："
    "apt-get install texlive-lang-chinese；其他系统：tlmgr install ctex，或用 MiKTeX 控制台）；"
    ".tex 文件在 {out}。PDF 没有生成。",
)
FAILED = (
    "{engine} stopped on {tex}; the first error lines of {log}:\n{lines}\n"
    "The .tex files are in {out}; the PDFs were not all made.",
    "{engine} 在排版 {tex} 时出错；{log} 里最先的错误：\n{lines}\n"
    ".tex 文件在 {out}；PDF 没有全部生成。",
)
TIMED_OUT = (
    "{engine} did not finish {tex} within {seconds} s; the .tex files are in {out}. The PDFs were "
    "not all made.",
    "{engine} 在 {seconds} 秒内没有排版完 {tex}；.tex 文件在 {out}。PDF 没有全部生成。",
)
