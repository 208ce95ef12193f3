"""Which OpenBLAS kernels the numerics tests run under (`make test` runs them once per kernel).

`python tests/blas_kernels.py` prints the OPENBLAS_CORETYPE names this CPU can run, newest
first: SkylakeX needs AVX-512 (forcing it elsewhere dies of an illegal instruction), Haswell
AVX2 and FMA, Sandybridge AVX. Their sums differ where floating point leaves the range
(1e200·1e200 − 1e200·1e200 is NaN on Haswell, +inf on SkylakeX), so running under several is
what shows that a result or a message does not depend on the kernel.

`python tests/blas_kernels.py --active` prints the kernel numpy's OpenBLAS actually uses now;
`--expect NAME` prints it too and exits 1 unless it is NAME (`make test` checks each rerun so).
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

KERNELS = (
    ("SkylakeX", {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}),
    ("Haswell", {"avx2", "fma"}),
    ("Sandybridge", {"avx"}),
)


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def runnable_kernels() -> list[str]:
    if platform.machine() not in ("x86_64", "AMD64"):
        return []  # the names above are x86-64 kernels; other CPUs run their own default
    flags = cpu_flags()
    return [name for name, needs in KERNELS if needs <= flags]


def active_kernel() -> str:
    import numpy  # noqa: F401  (threadpoolctl sees only the libraries already loaded)
    from threadpoolctl import threadpool_info

    blas = [entry for entry in threadpool_info() if entry.get("user_api") == "blas"]
    if not blas:
        return "no BLAS library found"
    entry = blas[0]
    return f"{entry.get('internal_api')} {entry.get('version')}, kernel {entry.get('architecture')}"


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["--expect"]:
        # The kernel OpenBLAS took under this OPENBLAS_CORETYPE: a name it does not know falls back
        # quietly to another, and the rerun would then prove nothing.
        active = active_kernel()
        print(f"BLAS: {active}")
        if not active.lower().endswith(f"kernel {arguments[1].lower()}"):
            print(f"OPENBLAS_CORETYPE={arguments[1]} did not take: OpenBLAS runs {active}", file=sys.stderr)
            return 1
        return 0
    print(active_kernel() if "--active" in arguments else " ".join(runnable_kernels()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
