"""Everything the exercises say to a learner, in English and Chinese (the article's language).

Each message is an ``(English, Chinese)`` pair of ``str.format`` templates, so the two editions
say the same thing and a reviewer reads them side by side. The Chinese uses the article's own
terms, as ``notebooks/zh/STYLE.md`` lists them: 误差 (error), 权值 (weight), 阈值 (bias),
神经元 (unit), 链式法则 (chain rule), 输出层 (output layer), 隐含层 (hidden layer), 例题 (the
worked example); names and code quoted in a Chinese sentence stand in “…”, and lists of names
are joined with 、.
"""

from __future__ import annotations

MAX_LENGTH = 500  # characters of an answer
MAX_DEPTH = 40  # nested brackets, exponents and bare function arguments
MAX_LITERAL = 30  # characters of one number
MAX_EXPONENT = 64  # of a numeric exponent
MAX_DIGITS = 200  # of a number SymPy would compute eagerly

#: An unparseable answer's message starts with this.
CANNOT_READ = ("Cannot read the answer: ", "无法读取答案：")

#: Why an answer could not be read, by reason (:class:`~bpderive.exercises.parse.AnswerError`).
PARSE: dict[str, tuple[str, str]] = {
    "empty": (
        "The answer is empty.",
        "答案是空的。",
    ),
    "not_text": (
        "The answer must be text.",
        "答案必须是文字。",
    ),
    "unexpected": (
        "unexpected '{found}' at character {pos}.",
        "第 {pos} 个字符处出现了意外的 “{found}”。",
    ),
    "mismatch": (
        "unexpected '{found}' at character {pos}, expected '{expected}'.",
        "第 {pos} 个字符处出现了意外的 “{found}”，这里应该是 “{expected}”。",
    ),
    "unclosed": (
        "a '{found}' opened at character {pos} is never closed.",
        "第 {pos} 个字符处的 “{found}” 没有对应的右括号。",
    ),
    "missing_operand": (
        "nothing follows the '{found}' at character {pos}.",
        "第 {pos} 个字符处的 “{found}” 后面缺少内容。",
    ),
    "no_argument": (
        "the function '{found}' at character {pos} needs an argument, as in {found}(x).",
        "第 {pos} 个字符处的函数 “{found}” 缺少参数，请写成 {found}(x) 的形式。",
    ),
    "frac_args": (
        "'{found}' at character {pos} needs two groups in braces, as in \\frac{{a}}{{b}}.",
        "第 {pos} 个字符处的 “{found}” 后面需要两个花括号，例如 \\frac{{a}}{{b}}。",
    ),
    "unknown_command": (
        "'{found}' at character {pos} is not a LaTeX command bpderive knows.",
        "第 {pos} 个字符处的 “{found}” 不是可以识别的 LaTeX 命令。",
    ),
    "division_by_zero": (
        "division by zero at character {pos}.",
        "第 {pos} 个字符处出现了除以零。",
    ),
    "undefined": (
        "its value is infinite or undefined.",
        "它的值是无穷大或没有定义。",
    ),
    "unknown_name": (
        "Unknown name '{name}' at character {pos}.",
        "第 {pos} 个字符处：未知的名称 “{name}”。",
    ),
    "unknown_name_hint": (
        "Unknown name '{name}' at character {pos}. Did you mean: {hint}?",
        "第 {pos} 个字符处：未知的名称 “{name}”，你是不是想写：{hint}？",
    ),
    "too_long": (
        f"The answer is too long (more than {MAX_LENGTH} characters).",
        f"答案过长（超过 {MAX_LENGTH} 个字符）。",
    ),
    "too_deep": (
        f"The answer is nested too deeply (over {MAX_DEPTH} levels) at character {{pos}}.",
        f"答案嵌套过深（超过 {MAX_DEPTH} 层），位于第 {{pos}} 个字符。",
    ),
    "number_too_long": (
        f"The number at character {{pos}} is longer than {MAX_LITERAL} characters.",
        f"第 {{pos}} 个字符处的数字超过了 {MAX_LITERAL} 个字符。",
    ),
    "too_big": (
        "The number at character {pos} is too large to work with.",
        "第 {pos} 个字符处的数太大，无法计算。",
    ),
    "exponent_too_big": (
        f"The exponent at character {{pos}} is larger than {MAX_EXPONENT}.",
        f"第 {{pos}} 个字符处的指数超过了 {MAX_EXPONENT}。",
    ),
    "no_activation": (
        "'{found}' at character {pos} is the derivative of the activation function, which only "
        "the network knows; write the derivative itself, as out_o1(1 − out_o1) for σ′(net_o1).",
        "第 {pos} 个字符处的 “{found}” 是激活函数的导数，只有网络知道用的是哪个激活函数；"
        "请直接写出导数本身，例如 σ′(net_o1) 写成 out_o1(1 − out_o1)。",
    ),
    "ambiguous_activation": (
        "{found}({argument}) at character {pos}: the layers of this network use different "
        "activations, so f is ambiguous here; write f′ of a unit's net (f′(net_o1)) or the "
        "derivative itself.",
        "第 {pos} 个字符处的 “{found}({argument})”：这个网络的各层用了不同的激活函数，这里的 f "
        "不明确；请对某个神经元的净输入写 f′（如 f′(net_o1)），或直接写出导数本身。",
    ),
}

#: What a verdict says, by outcome; ``{target}`` is the quantity asked for, ``{where}`` the point
#: whose numbers are quoted (the worked example where there is one).
VERDICT: dict[str, tuple[str, str]] = {
    "correct": (
        "Correct: {target} = {expected}, {expected_value} at {where}.",
        "正确：{target} = {expected}，{where}下等于 {expected_value}。",
    ),
    "sign": (
        "The sign is wrong: {target} is {expected_value} at {where}, your answer gives "
        "{given_value}.",
        "符号错了：{where}下 {target} = {expected_value}，你的答案是 {given_value}。",
    ),
    "sign_in": (
        "The sign of {item} is wrong{path}: expected {expected}, got {given} ({expected_value} "
        "and {given_value} at {where}).",
        "{item} 的符号错了{path}：应为 {expected}，你写的是 {given}（{where}下分别为 "
        "{expected_value} 和 {given_value}）。",
    ),
    "constant_factor": (
        "Your answer is {ratio} times {target} ({expected_value} expected, {given_value} given at "
        "{where}).{hint}",
        "你的答案是 {target} 的 {ratio} 倍（{where}下应为 {expected_value}，"
        "你的是 {given_value}）。{hint}",
    ),
    "half": (
        " A stray factor 2 or ½ usually comes from the ½ in the error E_total = ½Σ(target − out)².",
        "多出的 2 或 ½ 通常来自误差 E_total = ½Σ(target − out)² 中的 ½。",
    ),
    "missing_factor": (
        "A factor of the chain rule is missing{path}: {item} = {expected} ({expected_value} at "
        "{where}).",
        "链式法则少了一个因子{path}：{item} = {expected}（{where}下为 {expected_value}）。",
    ),
    "wrong_factor": (
        "{item} is wrong{path}: expected {expected}, got {given} ({expected_value} expected, "
        "{given_value} given at {where}).",
        "{item} 错了{path}：应为 {expected}，你写的是 {given}（{where}下应为 {expected_value}，"
        "你的是 {given_value}）。",
    ),
    "missing_path": (
        "The path through {unit} is missing: {item} = {expected}, {expected_value} at {where}. "
        "A unit's output reaches the error through every unit it feeds, and the chain rule adds "
        "one term per path.",
        "缺少经过 {unit} 的那条路径：{item} = {expected}，{where}下为 {expected_value}。"
        "一个神经元的输出经过它连接的每个神经元影响误差，链式法则对每条路径各加一项。",
    ),
    "not_equivalent": (
        "Not equal to {target}: {expected_value} expected, {given_value} given at {where}.",
        "与 {target} 不相等：{where}下应为 {expected_value}，你的是 {given_value}。",
    ),
    "undefined": (
        "Your answer has no finite real value at {where} (a logarithm or root of a negative "
        "number, or a number too large?); {target} is {expected_value} there.",
        "你的答案在{where}下没有有限的实数值（对负数取了对数或开方，或者数值太大？）；"
        "{target} 在那里等于 {expected_value}。",
    ),
    "own_delta": (
        "{name} is what you are asked to derive: write it with the δ of the layer above and the "
        "local factors.",
        "{name} 正是要你推导的量：请用上一层的 δ 和局部导数来写。",
    ),
    "too_slow": (
        "The answer took longer than {seconds:g} s to check; write it as a product of the chain's "
        "factors.",
        "检查这个答案超过了 {seconds:g} 秒；请把它写成链式法则各因子的乘积。",
    ),
    "too_large": (
        "This chain is too large to check as one formula on this network: {reason}. Check a "
        "parameter closer to the output, or a smaller network.",
        "这条链在这个网络上太大：写成一个公式会超过 {limit:,} 个运算和符号，无法作为一个公式检查。"
        "请检查离输出层更近的参数，或换一个较小的网络。",
    ),
    "in_path": (" (in the path through {unit})", "（在经过 {unit} 的路径中）"),
    "via": ("{partial} (via {unit})", "{partial}（经过 {unit}）"),
    "example": ("the worked example", "例题数值"),
    "sample": ("a sample point", "一组随机数值"),
    "wrong": ("Not yet: {mistake}.", "还不对：{mistake}。"),
    "read_as": ("Read as", "读作"),
}

#: A target :func:`~bpderive.exercises.check` does not know (a ``KeyError``: a mistyped target in
#: a notebook is the learner's to fix, so it reads in the learner's language).
UNKNOWN_TARGET = (
    "target: unknown {target!r}; valid targets: {valid}",
    "target：没有 “{target}” 这个目标；可以检查的目标：{valid}",
)
#: How a list of names is joined: the Chinese enumeration comma also separates names such as
#: ``w_(x1,1)`` that hold a comma of their own.
SEPARATOR = (", ", "、")

#: Each mistake code as a learner reads it, in a verdict's heading.
MISTAKE_NAMES: dict[str, tuple[str, str]] = {
    "sign": ("a sign", "符号错误"),
    "constant_factor": ("a constant factor", "常数倍数"),
    "missing_factor": ("a missing factor", "缺少因子"),
    "wrong_factor": ("a wrong factor", "因子错误"),
    "missing_path": ("a missing path", "缺少路径"),
    "learning_rate": ("a learning rate in a gradient", "梯度里出现了学习率"),
    "wrong_target": ("another quantity", "求的不是这个量"),
    "number_only": ("a number, not a formula", "只有数值，没有公式"),
    "circular": ("the asked quantity itself", "用所求的量自己作答"),
    "not_equivalent": ("not equal", "不相等"),
    "unparseable": ("cannot be read", "无法读取"),
    "unknown_name": ("an unknown name", "未知名称"),
    "too_complex": ("too complex", "过于复杂"),
}

#: What :func:`~bpderive.exercises.ask` says around its text box.
ASK: dict[str, tuple[str, str]] = {
    "prompt": ("Your answer for {target}:", "你对 {target} 的答案："),
    "button": ("Check", "检查"),
    "hint": ("Hint", "提示"),
    "install": (
        "The answer box needs ipywidgets: pip install ipywidgets (or pip install "
        '"bpderive[notebooks]"), then restart the kernel. Meanwhile, check an answer with '
        'check(net, {target!r}, "your answer").',
        "答案输入框需要 ipywidgets：pip install ipywidgets（或 pip install "
        '"bpderive[notebooks]"），然后重启内核。在此之前，可以用 check(net, {target!r}, '
        '"你的答案") 检查答案。',
    ),
}
