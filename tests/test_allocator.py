"""The allocator setting that keeps freed memory for the next batch."""
import platform

from winnow.allocator import keep_freed_memory


def test_the_thresholds_are_set_where_the_c_library_is_glibc_and_nothing_is_done_elsewhere():
    assert keep_freed_memory() is (platform.libc_ver()[0] == "glibc")
