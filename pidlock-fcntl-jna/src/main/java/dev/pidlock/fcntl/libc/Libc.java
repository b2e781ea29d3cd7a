package dev.pidlock.fcntl.libc;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The C library calls pidlock needs, bound with JNA direct mapping: no {@code Structure} marshalling and no
 * native memory objects on the hot path — structs and buffers are Java byte arrays (JNA passes a primitive
 * array as a pointer to a copy of it and copies it back), paths are NUL-terminated bytes. Every method
 * returns the raw result; the errno of a failed call is {@link Native#getLastError()}, turned into an
 * exception at one place, {@link Errors}.
 */
public final class Libc {

    /** The loaded C library. */
    static final NativeLibrary C = NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME);

    static {
        Native.register(Libc.class, C);
    }

    private Libc() {
    }

    /** {@code int open(const char *path, int flags, mode_t mode)}. */
    public static native int open(byte[] path, int flags, int mode);

    /** {@code int close(int fd)}. */
    public static native int close(int fd);

    /** {@code int fcntl(int fd, int cmd, struct flock *lock)}. */
    public static native int fcntl(int fd, int cmd, byte[] lock);

    /** {@code int fcntl(int fd, int cmd, int arg)}. */
    public static native int fcntl(int fd, int cmd, int arg);

    /** {@code int flock(int fd, int operation)}. */
    public static native int flock(int fd, int operation);

    /** {@code int lockf(int fd, int cmd, off_t len)}. */
    public static native int lockf(int fd, int cmd, long len);

    /** {@code int fchmod(int fd, mode_t mode)}. */
    public static native int fchmod(int fd, int mode);

    /** {@code int ftruncate(int fd, off_t length)}. */
    public static native int ftruncate(int fd, long length);

    /** {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset)}. */
    public static native long pread(int fd, byte[] buf, long count, long offset);

    /** {@code ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)}. */
    public static native long pwrite(int fd, byte[] buf, long count, long offset);

    /** {@code int unlink(const char *path)}. */
    public static native int unlink(byte[] path);

    /** {@code int fstat(int fd, struct stat *buf)} (glibc 2.33 and later, macOS). */
    public static native int fstat(int fd, byte[] buf);

    /** {@code int lstat(const char *path, struct stat *buf)} (glibc 2.33 and later, macOS). */
    public static native int lstat(byte[] path, byte[] buf);

    /** {@code char *strerror(int errnum)}. */
    public static native String strerror(int errnum);

    /** @return {@code errno} of this thread's last call through JNA */
    public static int errno() {
        return Native.getLastError();
    }
}
