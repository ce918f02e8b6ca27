"""numpy/OpenBLAS reference rows for `npm run bench`: SGEMM and a hand-written training
loop of the same MLP (ReLU or tanh hidden layers, softmax + cross-entropy, SGD or Adam), float32, with
every buffer preallocated: the best a tight BLAS-based loop does. Thread count comes from
OPENBLAS_NUM_THREADS, set by the caller before this process starts.

Protocol: one JSON request per stdin line, one JSON reply per stdout line. Arrays travel as raw
float32 files. Timing happens here (perf_counter) so pipe latency is never measured.
"""
import json
import sys
import time

import numpy as np

F32 = np.float32
LOG_EPS = F32(1e-7)  # mirrors LOG_EPS in src/backend/kernels.ts


def load(path, shape):
    return np.fromfile(path, dtype=F32).reshape(shape)


class Gemm:
    def __init__(self, req):
        self.a = load(req["a"], (req["m"], req["k"]))
        self.b = load(req["b"], (req["k"], req["n"]))
        self.c = np.empty((req["m"], req["n"]), dtype=F32)
        self.call()
        self.c.tofile(req["out"])

    def call(self):
        np.matmul(self.a, self.b, out=self.c)


class Mlp:
    """sizes [in, h1, ..., out]; params in mlpx's flat layout: per layer W (in x out) then b."""

    def __init__(self, req):
        sizes = req["sizes"]
        flat = np.fromfile(req["params"], dtype=F32)
        self.W, self.b, off = [], [], 0
        for fan_in, units in zip(sizes[:-1], sizes[1:]):
            self.W.append(flat[off:off + fan_in * units].reshape(fan_in, units).copy())
            off += fan_in * units
            self.b.append(flat[off:off + units].copy())
            off += units
        self.hidden = req.get("hidden", "relu")
        if self.hidden not in ("relu", "tanh"):
            raise ValueError(f"hidden activation {self.hidden!r}: relu or tanh only")
        self.batch = req["batch"]
        m = self.batch
        self.Z = [np.empty((m, u), dtype=F32) for u in sizes[1:]]
        self.A = [np.empty((m, u), dtype=F32) for u in sizes[1:]]
        self.dZ = [np.empty((m, u), dtype=F32) for u in sizes[1:]]
        self.dA = [np.empty((m, u), dtype=F32) for u in sizes[1:]]
        self.dW = [np.empty_like(w) for w in self.W]
        self.db = [np.empty_like(b) for b in self.b]
        self.x = load(req["x"], (-1, sizes[0]))
        self.y = load(req["y"], (-1, sizes[-1])) if "y" in req else None
        self.opt = req.get("opt", "sgd")
        self.lr, self.beta1, self.beta2, self.eps = (F32(req.get(k, 0)) for k in ("lr", "beta1", "beta2", "eps"))
        self.t = 0
        if self.opt == "adam":
            self.m = [np.zeros_like(p) for p in self.W + self.b]
            self.v = [np.zeros_like(p) for p in self.W + self.b]
            self.tmp = [np.empty_like(p) for p in self.W + self.b]

    def forward(self, x):
        inp = x
        last = len(self.W) - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            Z, A = self.Z[l], self.A[l]
            np.matmul(inp, W, out=Z)
            Z += b
            if l < last and self.hidden == "tanh":
                np.tanh(Z, out=A)
            elif l < last:
                np.maximum(Z, 0, out=A)
            else:  # row softmax, max subtracted
                np.subtract(Z, Z.max(axis=1, keepdims=True), out=A)
                np.exp(A, out=A)
                A /= A.sum(axis=1, keepdims=True)
            inp = A
        return inp

    def step(self, x, y):
        m = x.shape[0]
        p = self.forward(x)
        loss = -float(np.sum(y * np.log(np.clip(p, LOG_EPS, 1 - LOG_EPS)))) / m
        L = len(self.W)
        dz = self.dZ[L - 1]
        np.subtract(p, y, out=dz)
        dz *= F32(1.0 / m)
        for l in range(L - 1, -1, -1):
            inp = x if l == 0 else self.A[l - 1]
            np.matmul(inp.T, dz, out=self.dW[l])
            np.sum(dz, axis=0, out=self.db[l])
            if l > 0:
                da = self.dA[l - 1]
                np.matmul(dz, self.W[l].T, out=da)
                below = self.dZ[l - 1]
                if self.hidden == "tanh":  # da * (1 - a^2)
                    a = self.A[l - 1]
                    np.multiply(a, a, out=below)
                    np.subtract(F32(1), below, out=below)
                    below *= da
                else:
                    np.multiply(da, self.Z[l - 1] > 0, out=below)
                dz = below
        self.update()
        return loss

    def update(self):
        self.t += 1
        params, grads = self.W + self.b, self.dW + self.db
        if self.opt == "sgd":
            for p, g in zip(params, grads):
                g *= self.lr
                p -= g
            return
        b1, b2 = self.beta1, self.beta2
        c1 = F32(1 - float(b1) ** self.t)
        c2 = F32(1 - float(b2) ** self.t)
        for p, g, m, v, tmp in zip(params, grads, self.m, self.v, self.tmp):
            m *= b1
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2
            g *= g
            g *= (1 - b2)
            v += g
            # g is scratch from here on: lr * (m / c1) / (sqrt(v / c2) + eps)
            np.divide(v, c2, out=g)
            np.sqrt(g, out=g)
            g += self.eps
            np.divide(m, g, out=g)
            g *= self.lr / c1
            p -= g

    def batches(self):
        for start in range(0, self.x.shape[0] - self.batch + 1, self.batch):
            yield self.x[start:start + self.batch], self.y[start:start + self.batch]


class Train(Mlp):
    """Validation steps on the first batches in stored order; timed epochs take the rows in the
    shuffled order every contender uses, gathered the fastest numpy way (np.take into
    preallocated batch arrays), as a real training loop must."""

    def __init__(self, req):
        super().__init__(req)
        self.losses = [self.step(x, y) for x, y in list(self.batches())[: req["validate_steps"]]]
        order = np.fromfile(req["order"], dtype=np.uint32).astype(np.intp)
        self.order = [order[s:s + self.batch] for s in range(0, len(order) - self.batch + 1, self.batch)]
        self.xb = np.empty((self.batch, self.x.shape[1]), dtype=F32)
        self.yb = np.empty((self.batch, self.y.shape[1]), dtype=F32)

    def call(self):
        # mode="clip": the indices are a permutation, always in range, and with mode="raise" numpy
        # buffers `out` (an extra copy; numpy.take's documentation)
        for rows in self.order:
            np.take(self.x, rows, axis=0, out=self.xb, mode="clip")
            np.take(self.y, rows, axis=0, out=self.yb, mode="clip")
            self.step(self.xb, self.yb)


class Infer(Mlp):
    def __init__(self, req):
        super().__init__(req)
        self.xb = self.x[: self.batch]
        self.forward(self.xb).tofile(req["out"])

    def call(self):
        self.forward(self.xb)


def build_blas():
    """The BLAS numpy was built against, from np.show_config()'s data: (name, its build string)."""
    import numpy.__config__ as cfg
    try:
        info = cfg.CONFIG["Build Dependencies"]["blas"]
        return info["name"], info.get("openblas configuration")
    except Exception:  # older numpy: not exposed
        return "blas", None


def loaded_openblas():
    """What the OpenBLAS numpy loaded runs: its kernel (core) and configuration as chosen at load
    time (DYNAMIC_ARCH builds pick them by CPUID unless OPENBLAS_CORETYPE forces one). Through
    threadpoolctl when it is importable, else by asking the loaded library itself with ctypes, as
    threadpoolctl does (numpy's wheels prefix OpenBLAS's symbols with scipy_ and suffix 64_)."""
    try:
        from threadpoolctl import threadpool_info
        for lib in threadpool_info():
            if lib.get("internal_api") == "openblas":
                return {"source": "threadpoolctl", "core": lib.get("architecture"), "config": lib.get("version"),
                        "threads": lib.get("num_threads"), "library": lib.get("filepath")}
    except ImportError:
        pass
    import ctypes
    with open("/proc/self/maps") as maps:  # the shared libraries this process has mapped
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line.split()[-1].lower() and ".so" in line})
    for path in paths:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"), ("openblas_", "")):
            try:
                corename = getattr(lib, prefix + "get_corename" + suffix)
                config = getattr(lib, prefix + "get_config" + suffix)
                threads = getattr(lib, prefix + "get_num_threads" + suffix)
            except AttributeError:
                continue
            corename.restype = config.restype = ctypes.c_char_p
            return {"source": "ctypes", "core": corename().decode(), "config": config().decode().strip(),
                    "threads": threads(), "library": path}
    return None


def main():
    blas, build_config = build_blas()
    hello = {"ready": True, "numpy": np.__version__, "blas": blas, "build_config": build_config}
    try:
        hello["openblas"] = loaded_openblas()
    except Exception as error:  # reported, never fatal: the rows do not depend on it
        hello["openblas"] = {"error": "%s: %s" % (type(error).__name__, error)}
    print(json.dumps(hello), flush=True)
    jobs = {}
    kinds = {"gemm": Gemm, "train": Train, "infer": Infer}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["op"] in kinds:
                job = kinds[req["op"]](req)
                jobs[req["id"]] = job
                reply = {"losses": getattr(job, "losses", None)}
            elif req["op"] == "run":
                job = jobs[req["id"]]
                calls, start = 0, time.perf_counter()
                while True:
                    job.call()
                    calls += 1
                    elapsed = time.perf_counter() - start
                    if elapsed >= req["min_seconds"]:
                        break
                reply = {"seconds": elapsed / calls, "calls": calls}
            elif req["op"] == "drop":
                jobs.pop(req["id"], None)
                reply = {}
            else:
                reply = {"error": "unknown op " + req["op"]}
        except Exception as error:  # reported to the bench as this contender's error row
            reply = {"error": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
