# The two data sets, generated or loaded with fixed seeds: sound localisation from the interaural
# phase difference (after D. Goodman's Cosyne 2022 SNN tutorial) and sklearn's 8x8 digits.
import numpy as np


class Task:
    """A classification task of spike trains: x bool [B, T, n_in], y int [B]."""

    name = ""
    n_in = 0
    n_classes = 0
    t_in = 0
    hidden = 0
    du = dv = 0  # the chip decays of every layer (spec §2.4), chosen on the 12-bit grid


# --- (a) sound localisation from IPD ------------------------------------------------------------
# Ear neurons fire Poisson-like spikes phase-locked to a 20 Hz tone: the rate of neuron i is
# rate_max * ((1 + sin(phase + delay_i)) / 2)^2, the right ear adding the IPD to every phase; the
# delays spread over [0, pi/2] so that coincidences between the ears code the IPD. The IPD is drawn
# from [-pi/2, pi/2] and the class is one of 12 equal bins. Figures as in the tutorial: 100 neurons
# per ear, 100 steps of 1 ms, rate_max 600 Hz, envelope power 2.


class IPD(Task):
    name = "ipd"
    anf_per_ear = 100
    n_in = 2 * anf_per_ear
    n_classes = 12
    t_in = 100
    hidden = 100
    dt = 1e-3
    f = 20.0
    rate_max = 600.0
    envelope_power = 2
    du = 742  # u keeps (4095 - 742) / 4096 = 0.8186 per step: tau_syn ~ 5 ms
    dv = 200  # v keeps 0.9512 per step: tau_mem ~ 20 ms

    def generate(self, n, seed):
        rng = np.random.default_rng(seed)
        ipd = rng.uniform(-np.pi / 2, np.pi / 2, n)
        t = np.arange(self.t_in) * self.dt
        phi = 2 * np.pi * (self.f * t[None, :] + rng.uniform(0, 1, (n, 1)))  # random start phase
        delay = np.linspace(0, np.pi / 2, self.anf_per_ear)
        theta = np.empty((n, self.t_in, self.n_in))
        theta[:, :, : self.anf_per_ear] = phi[:, :, None] + delay[None, None, :]
        theta[:, :, self.anf_per_ear :] = phi[:, :, None] + delay[None, None, :] + ipd[:, None, None]
        p = self.rate_max * self.dt * (0.5 * (1 + np.sin(theta))) ** self.envelope_power
        x = rng.uniform(0, 1, p.shape) < p
        y = np.clip(((ipd + np.pi / 2) / np.pi * self.n_classes).astype(int), 0, self.n_classes - 1)
        return x, y

    def splits(self):
        return self.generate(3000, 1), self.generate(1000, 2)


# --- (b) sklearn's 8x8 digits, latency encoding ---------------------------------------------------
# Pixel p (0..16) of an image fires once, at step round((1 - p/16) * (t_in - 1)): bright pixels
# early; black pixels never. The data set's own 1,797 images, split 80/20 with a fixed seed.


class Digits(Task):
    name = "digits"
    n_in = 64
    n_classes = 10
    t_in = 10
    hidden = 64
    du = 1638  # u keeps 0.5999 per step
    dv = 819  # v keeps 0.8000 per step

    def encode(self, images):
        p = images.reshape(len(images), 64) / 16.0
        t_spk = np.round((1 - p) * (self.t_in - 1)).astype(int)
        x = np.zeros((len(images), self.t_in, 64), bool)
        b, i = np.nonzero(p > 0)
        x[b, t_spk[b, i], i] = True
        return x

    def splits(self):
        from sklearn.datasets import load_digits

        d = load_digits()
        order = np.random.default_rng(0).permutation(len(d.target))
        n_train = int(0.8 * len(order))
        tr, te = order[:n_train], order[n_train:]
        return (self.encode(d.images[tr]), d.target[tr]), (self.encode(d.images[te]), d.target[te])


TASKS = {"ipd": IPD, "digits": Digits}
