"""``make drill``: the fault drill and the backup-and-restore drill, with their figures.

Needs PostgreSQL's server binaries (Debian's postgresql package); the drills start a server of
their own in a temporary directory and remove it afterwards.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from drills import backup, fault
from drills.cluster import Cluster


def main() -> int:
    logs = Path(tempfile.mkdtemp(prefix="pe-drill-logs-"))
    cluster = Cluster()
    passed = True
    try:
        started = time.monotonic()
        cluster.initdb()
        cluster.start()
        version = cluster.bin.parent.name
        print(f"== drills: PostgreSQL {version} on port {cluster.port}, logs in {logs}")
        for name, drill in (("fault drill", fault.run), ("backup and restore drill", backup.run)):
            began = time.monotonic()
            ok, lines = drill(cluster, logs)
            print(f"== {name}: {'PASSED' if ok else 'FAILED'} in {time.monotonic() - began:.0f} s")
            for line in lines:
                print(f"   {line}")
            passed &= ok
        print(f"== drills {'passed' if passed else 'FAILED'} in {time.monotonic() - started:.0f} s")
    except BaseException:
        passed = False
        raise
    finally:
        cluster.destroy()
        # The logs hold unmasked test data; kept only when something failed, to find out why.
        if passed:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"== logs kept for inspection in {logs}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
