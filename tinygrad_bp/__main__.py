"""Command line: ``python -m tinygrad_bp demo`` (the optimizers compared), ``python -m tinygrad_bp graph`` and
``python -m tinygrad_bp explain`` (the step-through backward page).

Also installed as the ``tinygrad-bp`` console script. ``main(argv)`` returns the exit code: 0 on success,
2 for a bad option (argparse's convention, with a message saying what was wrong).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from . import demo

EXAMPLES = """examples:
  python -m tinygrad_bp demo                          all five optimizers, pictures in ./tinygrad_bp_demo/
  python -m tinygrad_bp demo --optimizers sgd,adam --epochs 20 --no-plots
  python -m tinygrad_bp graph --hidden 3 --grads -o two_layer.svg
  python -m tinygrad_bp graph --example -o chain_rule.png   the worked example: every value, gradient, formula
  python -m tinygrad_bp explain --example -o backward.html  step through the worked example's backward pass
  python -m tinygrad_bp explain --script my_net.py --exercise   your script's `loss`, gradients hidden
"""

EXPLAIN_HELP = """The script runs as __main__ under tb.viz.capture() (so every value is kept) and must leave a
variable named `loss` (a Tensor that requires grad; a scalar). Optional variables it may define:
`model` (an nn.Module: its parameter names label the graph), `params` (a dict name -> Tensor, instead
of model) and `inputs` (a dict name -> Tensor for the data and the targets). The script may already
have called loss.backward(); the page shows the gradients of that captured pass. No `.grad` changes.

Example script:
  import tinygrad_bp as tb
  model = tb.nn.TwoLayerNet(2, 3, 1)
  x, t = tb.randn(4, 2), tb.rand(4, 1)
  inputs = {"x": x, "target": t}
  loss = tb.nn.MSELoss()(model(x), t)
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, got {value}")
    return value


def _learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.01, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def _names(allowed: Sequence[str], what: str) -> object:
    """A parser for 'a,b,c' (or 'a b c') that accepts only ``allowed`` names, without repeats."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip().lower().replace("-", "") for n in text.replace(",", " ").split())
        if not names:
            raise argparse.ArgumentTypeError(f"give at least one {what}: {','.join(allowed)}")
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(map(repr, unknown))}; "
                                             f"choose from {','.join(allowed)}")
        if len(set(names)) != len(names):
            raise argparse.ArgumentTypeError(f"{what} listed twice in {text!r}")
        return names

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-bp", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="tinygrad_bp: back-propagation, optimizers and computation graphs you can watch.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    d = demo.DemoConfig()
    p = sub.add_parser("demo", help="train the two-layer network with each optimizer and compare",
                       description="Train the tutorial's two-layer network on three interleaved spirals with "
                       "SGD, Momentum, AdaGrad, RMSprop and Adam (mini-batches), and the first optimizer also with "
                       "batch and stochastic gradient descent, all from the same initial weights. Prints a "
                       "comparison table and writes the loss curves, the decision regions and the network's "
                       "forward and gradient graphs (SVG) into --out.")
    p.add_argument("--optimizers", type=_names(list(demo.OPTIMIZERS), "optimizer"), default=d.optimizers,
                   metavar="LIST", help=f"comma-separated, from {','.join(demo.OPTIMIZERS)} (default: all five)")
    p.add_argument("--modes", type=_names(list(demo.MODES), "mode"), default=d.modes, metavar="LIST",
                   help="gradient-descent modes to compare with the first optimizer, from batch,stochastic,"
                   "minibatch (default: all three; every optimizer always runs mini-batch)")
    p.add_argument("--epochs", type=_positive_int, default=d.epochs, help=f"passes over the data (default {d.epochs})")
    p.add_argument("--batch-size", type=_positive_int, default=d.batch_size,
                   help=f"mini-batch size (default {d.batch_size}); at most --samples")
    p.add_argument("--lr", type=_learning_rate, default=None,
                   help="one learning rate for every run (default: per optimizer, "
                   + ", ".join(f"{k} {v:g}" for k, v in demo.DEFAULT_LR.items()) + "; a tenth of it for stochastic)")
    p.add_argument("--seed", type=_seed, default=d.seed,
                   help=f"data, initial weights and batch order (default {d.seed})")
    p.add_argument("--samples", type=_positive_int, default=d.samples, help=f"training points (default {d.samples})")
    p.add_argument("--hidden", type=_positive_int, default=d.hidden, help=f"hidden units (default {d.hidden})")
    p.add_argument("--activation", choices=list(demo.ACTIVATIONS), default=d.activation,
                   help=f"hidden activation (default {d.activation}; the tutorial's is sigmoid)")
    p.add_argument("--out", type=Path, default=Path("tinygrad_bp_demo"), metavar="DIR",
                   help="folder for the pictures (default ./tinygrad_bp_demo/)")
    p.add_argument("--no-plots", action="store_true", help="write no files: only train and print the table")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=run_demo, subparser=p)

    g = sub.add_parser("graph", help="render a computation graph (the two-layer network, or --example) to a file",
                       description="Render the graph of one forward pass (and with --grads, of backward) of "
                       "TwoLayerNet with a mean-squared-error loss; with --example, the tutorial's worked example "
                       "(x, W1, b1, W2, b2, target, L = ½(y - t)²) after a captured backward pass, with every "
                       "value, every gradient, each edge's contribution and the formulas. The format comes from "
                       "the file's suffix (.svg, .png, .pdf, .dot); all four work without a system Graphviz.")
    g.add_argument("--example", action="store_true",
                   help="draw the worked example of examples/forward_backward_by_hand.py instead of TwoLayerNet")
    g.add_argument("--in-features", type=_positive_int, default=2, help="inputs (default 2)")
    g.add_argument("--hidden", type=_positive_int, default=2, help="hidden units (default 2)")
    g.add_argument("--out-features", type=_positive_int, default=1, help="outputs (default 1)")
    g.add_argument("--batch", type=_positive_int, default=1, help="samples in the batch (default 1)")
    g.add_argument("--grads", action="store_true", help="run backward() and show every node's gradient")
    g.add_argument("--values", action="store_true", help="print tensor values on the nodes")
    g.add_argument("--seed", type=_seed, default=0, help="initial weights and input (default 0)")
    g.add_argument("--format", default=None,
                   help="svg, png, pdf or dot (default: from the file's suffix); other formats need `dot`")
    g.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="file to write (default two_layer_net.svg, or worked_example.svg with --example)")
    g.set_defaults(handler=run_graph, subparser=g)

    e = sub.add_parser("explain", help="write the step-through backward page (one self-contained HTML file)",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXPLAIN_HELP,
                       description="Write a page that steps through the forward pass and then backward, node by "
                       "node in the engine's order: upstream gradient × local derivative = contribution. Open it "
                       "from disk in any browser: it needs no network. Keys ← →, a slider, a click on a node.")
    which = e.add_mutually_exclusive_group(required=True)
    which.add_argument("--example", action="store_true",
                       help="the worked example of examples/forward_backward_by_hand.py")
    which.add_argument("--script", type=Path, metavar="FILE", help="a Python script that defines `loss` (see below)")
    e.add_argument("--exercise", nargs="?", const=True, default=False, metavar="NAMES",
                   help="hide the parameters' gradients for the learner to work out (optionally only NAMES, "
                   "comma-separated, e.g. W1,b2)")
    e.add_argument("-o", "--output", type=Path, default=Path("backward.html"), metavar="FILE",
                   help="the HTML file to write (default backward.html)")
    e.set_defaults(handler=run_explain, subparser=e)
    return parser


def run_demo(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.batch_size > args.samples:
        parser.error(f"argument --batch-size: {args.batch_size} is more than the {args.samples} training samples "
                     "(--samples)")
    if args.out.exists() and not args.out.is_dir() and not args.no_plots:
        parser.error(f"argument --out: {args.out} exists and is not a folder")
    config = demo.DemoConfig(optimizers=args.optimizers, modes=args.modes, epochs=args.epochs,
                             batch_size=args.batch_size, lr=args.lr, seed=args.seed, samples=args.samples,
                             hidden=args.hidden, activation=args.activation)
    demo.run(config, None if args.no_plots else args.out, progress=not args.quiet)
    return 0


def run_graph(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from . import nn, random, viz
    from .creation import randn
    from .viz.rendering import format_for

    output = args.output or Path("worked_example.svg" if args.example else "two_layer_net.svg")
    if output.is_dir():
        parser.error(f"argument -o/--output: {output} is a folder; give a file name such as graph.svg")
    try:
        fmt = format_for(output, args.format, "graph")
    except ValueError as exc:
        parser.error(str(exc))
    if args.example:
        from .viz.worked_example import draw_worked_example

        graph = draw_worked_example()
    else:
        random.manual_seed(args.seed)
        model = nn.TwoLayerNet(args.in_features, args.hidden, args.out_features)
        x = randn(args.batch, args.in_features)
        target = randn(args.batch, args.out_features).sigmoid()
        with viz.capture():
            loss = nn.MSELoss()(model(x), target)
            if args.grads:
                loss.backward()
        graph = viz.draw_graph(loss, params=model, inputs={"x": x, "target": target}, show_values=args.values,
                               show_grads=args.grads)
    try:
        viz.render(graph, output, format=fmt)
    except (RuntimeError, ValueError, OSError) as exc:
        print(f"tinygrad-bp graph: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {output.resolve()}")
    return 0


def run_explain(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.output.is_dir():
        parser.error(f"argument -o/--output: {args.output} is a folder; give a file name such as backward.html")
    exercise = args.exercise
    if isinstance(exercise, str):
        exercise = [n.strip() for n in exercise.replace(",", " ").split()]
    try:
        if args.example:
            from .viz.explore import worked_example

            explorer = worked_example(exercise=exercise)
        else:
            explorer = _explain_script(args.script, exercise, parser)
    except (RuntimeError, ValueError, TypeError) as exc:
        print(f"tinygrad-bp explain: {exc}", file=sys.stderr)
        return 1
    try:
        explorer.save(args.output)
    except OSError as exc:
        print(f"tinygrad-bp explain: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.output.resolve()} ({len(explorer.steps)} steps)")
    return 0


def _explain_script(script: Path, exercise: object, parser: argparse.ArgumentParser) -> object:
    """Run ``script`` under capture() and explore the ``loss`` it defines."""
    import runpy

    from . import viz
    from .tensor import Tensor

    if not script.is_file():
        parser.error(f"argument --script: no such file: {script}")
    with viz.capture():
        namespace = runpy.run_path(str(script), run_name="__main__")
    loss = namespace.get("loss")
    if loss is None:
        parser.error(f"argument --script: {script} defines no variable named `loss`; end the script with "
                     "loss = ... (a scalar Tensor that requires grad)")
    if not isinstance(loss, Tensor):
        parser.error(f"argument --script: `loss` in {script} is a {type(loss).__name__}, expected a Tensor")
    params = namespace.get("params", namespace.get("model"))
    inputs = namespace.get("inputs")
    return viz.explore(loss, params=params if params is None or hasattr(params, "named_parameters")
                       or isinstance(params, dict) else None, inputs=inputs if isinstance(inputs, dict) else None,
                       exercise=exercise)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.handler(args, args.subparser)
    except SystemExit as exc:  # argparse exits on --help (0) and on bad options (2)
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
