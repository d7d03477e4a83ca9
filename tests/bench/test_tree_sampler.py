import subprocess
import sys

from bench.worker import TreeSampler

# A parent holding little memory whose child holds about 100 MB, as a worker's pool child does.
PARENT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; x = bytearray(100 * 2**20); time.sleep(3)'])\n"
    "child.wait()\n"
)


def test_sampler_sees_a_child_s_peak_and_counts_it_in_the_tree():
    parent = subprocess.Popen([sys.executable, "-c", PARENT])
    with TreeSampler(parent.pid, interval=0.05) as sampler:
        parent.wait()  # the child's whole life is sampled, however slow the machine
    assert sampler.mb("pool child") > 100
    assert sampler.mb("main") < 50
    assert sampler.mb("tree") >= sampler.mb("pool child") + sampler.mb("main") - 1
    assert 100 < sampler.mb("tree pss") <= sampler.mb("tree")
