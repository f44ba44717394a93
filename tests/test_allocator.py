"""The allocator setting that keeps freed memory for the next batch."""
import platform
import subprocess
import sys

from winnow import config


def test_the_thresholds_are_set_where_the_c_library_is_glibc_and_nothing_is_done_elsewhere():
    # In a process of its own: the setting is process-wide.
    said = subprocess.run([sys.executable, "-c", "from winnow.allocator import keep_freed_memory; "
                           "print(keep_freed_memory())"], cwd=config.PROJECT_ROOT, capture_output=True, text=True,
                          check=True)
    assert said.stdout.strip() == str(platform.libc_ver()[0] == "glibc")
