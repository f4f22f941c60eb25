#!/usr/bin/python3
# Surrogate-gradient training of a two-layer CUBA-LIF network with the chip's discrete-time dynamics
# (spec §2.4 in float, weights on the 8-bit mantissa grid), then export: NIR file, float weights,
# the test set and the directly built chip image. Not run in CI (minutes of CPU).
#   /usr/bin/python3 tools/train/train.py --task digits   (the image sealed by `import lifchip`; --use-cli: the CLI)
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chiplif  # noqa: E402
import export  # noqa: E402
from tasks import TASKS  # noqa: E402


class SpikeFn(torch.autograd.Function):
    """Heaviside forward; the SuperSpike surrogate 1 / (1 + beta |x|)^2 backward (Zenke & Ganguli 2018)."""

    beta = 10.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + SpikeFn.beta * x.abs()) ** 2


def fake_quant(w):
    """Weights on the chip's grid forward (chiplif.weight_grid: 8-bit mantissa, per-layer exponent,
    threshold vth = VTH_EXPORT), straight-through backward."""
    step = chiplif.weight_grid(float(w.detach().abs().max()))[1]
    return w + (torch.round(w / step) * step - w).detach()


class CubaNet(torch.nn.Module):
    """Layers of CUBA-LIF neurons with the chip's step (threshold 1, reset to zero):
    u = alpha u + W s_in;  v = beta v + u;  spike when v > 1, then v = 0.
    Like the chip, a layer's spikes of step t reach the next layer in step t+1."""

    def __init__(self, sizes, du, dv, seed, quantise=True):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.w = torch.nn.ParameterList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.w.append(torch.nn.Parameter(torch.randn(n_out, n_in, generator=g) * (1.0 / np.sqrt(n_in))))
        self.alpha, self.beta = chiplif.alpha_of(du), chiplif.beta_of(dv)
        self.quantise = quantise

    def weights(self):
        return [fake_quant(w) if self.quantise else w for w in self.w]

    def forward(self, x, steps):
        W = self.weights()
        B = x.shape[0]
        u = [torch.zeros(B, w.shape[0]) for w in W]
        v = [torch.zeros(B, w.shape[0]) for w in W]
        prev = [None] + [torch.zeros(B, w.shape[1]) for w in W[1:]]
        counts, hidden_spikes, u_excess = 0, 0, 0
        for t in range(steps):
            x_in = x[:, t] if t < x.shape[1] else torch.zeros_like(x[:, 0])
            arriving = [x_in] + prev[1:]
            new_prev = [None] * len(W)
            for k, w in enumerate(W):
                u[k] = self.alpha * u[k] + arriving[k] @ w.t()
                # v saturates on the chip at -(2^23 - 1) = -V_SAT thresholds (spec §2.4).
                v[k] = torch.clamp(self.beta * v[k] + u[k], min=-chiplif.V_SAT)
                u_excess = u_excess + torch.relu(u[k].abs() - chiplif.U_SAFE).pow(2).mean()
                s = SpikeFn.apply(v[k] - 1.0)
                v[k] = v[k] * (1 - s.detach())
                if k + 1 < len(W):
                    new_prev[k + 1] = s
                    hidden_spikes = hidden_spikes + s.sum(1)
                else:
                    counts = counts + s
            prev = new_prev
        self.u_excess = u_excess
        return counts, hidden_spikes


def evaluate(model, x, y, steps, batch=500):
    with torch.no_grad():
        preds = []
        for i in range(0, len(x), batch):
            c, _ = model(torch.tensor(x[i : i + batch], dtype=torch.float32), steps)
            preds.append(chiplif.decide(c.numpy()))
        return float(np.mean(np.concatenate(preds) == y))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--task", choices=sorted(TASKS), required=True)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lifchip", default=os.path.join(chiplif.ROOT, "build", "tools", "lifchip"),
                    help="the lifchip program (with --use-cli)")
    ap.add_argument("--python-path", default=os.path.join(chiplif.ROOT, "build", "tools", "python"),
                    help="where the built package lifchip is (the build tree's tools/python)")
    ap.add_argument("--use-cli", action="store_true",
                    help="seal the exported image with the lifchip CLI instead of `import lifchip`")
    ap.add_argument("--out", default=os.path.join(chiplif.ROOT, "tools", "examples"))
    ap.add_argument("--no-quantise", action="store_true", help="train in plain float (no 8-bit weight grid)")
    ap.add_argument("--export-only", action="store_true", help="re-export the saved <task>_weights.npz")
    args = ap.parse_args()
    if args.use_cli:
        sealer = args.lifchip
    else:
        sys.path.insert(0, args.python_path)
        import lifchip as sealer

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    task = TASKS[args.task]()
    (xtr, ytr), (xte, yte) = task.splits()
    if args.export_only:
        wz = np.load(os.path.join(args.out, f"{task.name}_weights.npz"))
        export.export_all(task, [wz["w0"], wz["w1"]], xte, yte, args.out, sealer)
        return
    steps = chiplif.run_steps(2, task.t_in)
    model = CubaNet([task.n_in, task.hidden, task.n_classes], task.du, task.dv, args.seed, not args.no_quantise)
    epochs = args.epochs or {"digits": 60, "ipd": 12}[task.name]
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    rng = np.random.default_rng(args.seed)
    batch = 64
    t0 = time.time()
    for ep in range(epochs):
        order = rng.permutation(len(xtr))
        tot = 0.0
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            xb = torch.tensor(xtr[idx], dtype=torch.float32)
            yb = torch.tensor(ytr[idx])
            counts, hid = model(xb, steps)
            # Spike counts as logits (scaled), plus a mild penalty on hidden activity.
            # u wraps on the chip beyond 2^23 (V_SAT thresholds): keep it well inside (U_SAFE).
            loss = (torch.nn.functional.cross_entropy(counts * 0.5, yb) + 1e-4 * (hid**2).mean() / task.hidden
                    + 1e-2 * model.u_excess)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss) * len(idx)
        sched.step()
        if ep % 5 == 4 or ep == epochs - 1:
            acc = evaluate(model, xte, yte, steps)
            print(f"epoch {ep + 1}: loss {tot / len(xtr):.4f} test accuracy {acc:.4f} ({time.time() - t0:.0f} s)")
            sys.stdout.flush()

    W = [w.detach().double().numpy() for w in model.weights()]
    acc_torch = evaluate(model, xte, yte, steps)
    os.makedirs(args.out, exist_ok=True)
    np.savez_compressed(
        os.path.join(args.out, f"{task.name}_weights.npz"), w0=W[0], w1=W[1], du=task.du, dv=task.dv,
        steps=steps, torch_accuracy=acc_torch,
    )
    export.export_all(task, W, xte, yte, args.out, sealer)
    print(f"{task.name}: torch float test accuracy {acc_torch:.4f}; files in {args.out}")


if __name__ == "__main__":
    main()
