#!/usr/bin/python3
"""A pass-through FUSE file system whose fsync and fdatasync take DELAY_MS more (bench:timeseries).

Usage: slow-fsync-fs.py BACKING_DIR MOUNT_POINT DELAY_MS  (runs in the foreground until unmounted)
Stands in for a slow SD card where device-mapper's `delay` target is not available.
"""
import errno
import os
import sys
import time

from fusepy import FUSE, FuseOSError, Operations


class SlowFsync(Operations):
    def __init__(self, root, delay_s):
        self.root = root
        self.delay_s = delay_s

    def _p(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def access(self, path, mode):
        if not os.access(self._p(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.lstat(self._p(path))
        return {k: getattr(st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._p(path))

    def chmod(self, path, mode):
        os.chmod(self._p(path), mode)

    def mkdir(self, path, mode):
        os.mkdir(self._p(path), mode)

    def rmdir(self, path):
        os.rmdir(self._p(path))

    def unlink(self, path):
        os.unlink(self._p(path))

    def rename(self, old, new):
        os.rename(self._p(old), self._p(new))

    def statfs(self, path):
        st = os.statvfs(self._p(path))
        return {k: getattr(st, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    def open(self, path, flags):
        return os.open(self._p(path), flags)

    def opendir(self, path):
        return os.open(self._p(path), os.O_RDONLY)

    def releasedir(self, path, fh):
        os.close(fh)

    def create(self, path, mode, fi=None):
        return os.open(self._p(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        if fh is None:
            os.truncate(self._p(path), length)
        else:
            os.ftruncate(fh, length)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(fh)

    def fsync(self, path, datasync, fh):
        time.sleep(self.delay_s)
        os.fdatasync(fh) if datasync else os.fsync(fh)

    def fsyncdir(self, path, datasync, fh):
        time.sleep(self.delay_s)
        os.fsync(fh)


if __name__ == '__main__':
    backing, mount, delay_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
    FUSE(SlowFsync(backing, delay_ms / 1000), mount, foreground=True, nothreads=False, allow_other=False)
