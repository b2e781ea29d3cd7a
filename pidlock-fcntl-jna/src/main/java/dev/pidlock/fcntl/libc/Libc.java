package dev.pidlock.fcntl.libc;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The C library calls pidlock needs, bound with JNA direct mapping: no {@code Structure} marshalling and no
 * native memory objects on the hot path — structs and buffers are Java byte arrays (JNA passes a primitive
 * array as a pointer to a copy of it and copies it back), paths are NUL-terminated bytes. Every method
 * returns the raw result; the errno of a failed call is {@link Native#getLastError()}, turned into an
 * exception at one place, {@link Errors}.
 *
 * <p>The one binding of the C library in pidlock: the lock backends use the calls of this class, spawning a
 * process the calls of {@link Processes} as well.
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

    /** {@code int fcntl(int fd, int cmd, int arg)}: {@code F_GETFD}, {@code F_SETFD}, {@code F_DUPFD*}. */
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

    /** {@code int stat(const char *path, struct stat *buf)} (glibc 2.33 and later, macOS). */
    public static native int stat(byte[] path, byte[] buf);

    /** {@code char *strerror(int errnum)}. */
    public static native String strerror(int errnum);

    /** @return {@code errno} of this thread's last call through JNA */
    public static int errno() {
        return Native.getLastError();
    }

    /**
     * @param name a C function
     * @return it, or null when this C library has none
     */
    static Function optional(String name) {
        try {
            return C.getFunction(name);
        } catch (UnsatisfiedLinkError absent) {
            return null;
        }
    }

    /**
     * {@code inotify(7)} and the calls a wait on it needs: Linux only, bound on first use (so that a C library
     * without inotify still serves the lock backends). The constants are the same on every Linux architecture.
     */
    public static final class Inotify {
        static {
            Native.register(Inotify.class, C);
        }

        /** {@code IN_ATTRIB}: metadata changed, among them the link count (an unlink). */
        public static final int IN_ATTRIB = 0x004;
        /** {@code IN_CLOSE_WRITE}: a descriptor opened for writing was closed. */
        public static final int IN_CLOSE_WRITE = 0x008;
        /** {@code IN_CLOSE_NOWRITE}: a descriptor not opened for writing was closed. */
        public static final int IN_CLOSE_NOWRITE = 0x010;
        /** {@code IN_IGNORED}: the watch was removed. */
        public static final int IN_IGNORED = 0x8000;
        /** {@code IN_DELETE_SELF}: the watched inode was deleted. */
        public static final int IN_DELETE_SELF = 0x400;
        /** {@code IN_NONBLOCK} ({@code O_NONBLOCK}). */
        public static final int IN_NONBLOCK = 04000;
        /** {@code IN_CLOEXEC} ({@code O_CLOEXEC}). */
        public static final int IN_CLOEXEC = 02000000;
        /** {@code POLLIN}. */
        public static final short POLLIN = 0x001;

        private Inotify() {
        }

        /** {@code int inotify_init1(int flags)}. */
        public static native int inotify_init1(int flags);

        /** {@code int inotify_add_watch(int fd, const char *path, uint32_t mask)}. */
        public static native int inotify_add_watch(int fd, byte[] path, int mask);

        /** {@code int inotify_rm_watch(int fd, int wd)}. */
        public static native int inotify_rm_watch(int fd, int wd);

        /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
        public static native long read(int fd, byte[] buf, long count);

        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}; {@code nfds_t} is 64-bit here. */
        public static native int poll(byte[] fds, long nfds, int timeout);
    }

    /**
     * The calls that spawning a process needs, bound on first use, on platforms that declare spawning (so
     * that a C library without one of them still serves the lock backends). The {@code posix_spawn*} functions and {@code pthread_sigmask} return
     * an errno value (0 on success); the others return -1 and leave errno in {@link Libc#errno()}. String
     * arrays and opaque structs are {@link com.sun.jna.Memory}.
     *
     * <p>Functions that not every C library has ({@code posix_spawn_file_actions_addclosefrom_np} and
     * {@code close_range}: glibc 2.34 and later), and {@code syscall} (variadic,
     * which direct mapping does not do), are looked up one by one as {@link Function}s, so their absence does
     * not break the binding of the rest.
     */
    public static final class Processes {
        static {
            Native.register(Processes.class, C);
        }

        /** {@code posix_spawn_file_actions_addclosefrom_np}, or null. */
        public static final Function ADDCLOSEFROM = optional("posix_spawn_file_actions_addclosefrom_np");
        /** {@code close_range}, or null. */
        public static final Function CLOSE_RANGE = optional("close_range");
        /** {@code syscall}, or null. */
        public static final Function SYSCALL = optional("syscall");

        private Processes() {
        }

        /** Does nothing but make sure this class, and so the binding, is initialized. */
        public static void bind() {
            // the static initializer has run
        }

        /** {@code int posix_spawnp(pid_t *pid, const char *file, actions, attr, argv, envp)}. */
        public static native int posix_spawnp(int[] pid, byte[] file, Pointer fileActions, Pointer attr,
                                              Pointer argv, Pointer envp);

        /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t *)}. */
        public static native int posix_spawn_file_actions_init(Pointer actions);

        /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *)}. */
        public static native int posix_spawn_file_actions_destroy(Pointer actions);

        /** {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *, int fd, int newfd)}. */
        public static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

        /** {@code int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *, int fd)}. */
        public static native int posix_spawn_file_actions_addclose(Pointer actions, int fd);

        /** {@code int posix_spawnattr_init(posix_spawnattr_t *)}. */
        public static native int posix_spawnattr_init(Pointer attr);

        /** {@code int posix_spawnattr_destroy(posix_spawnattr_t *)}. */
        public static native int posix_spawnattr_destroy(Pointer attr);

        /** {@code int posix_spawnattr_setflags(posix_spawnattr_t *, short flags)}. */
        public static native int posix_spawnattr_setflags(Pointer attr, short flags);

        /** {@code int posix_spawnattr_setsigmask(posix_spawnattr_t *, const sigset_t *)}. */
        public static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigmask);

        /** {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t *, const sigset_t *)}. */
        public static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigdefault);

        /** {@code int sigemptyset(sigset_t *)}. */
        public static native int sigemptyset(Pointer set);

        /** {@code int sigfillset(sigset_t *)}. */
        public static native int sigfillset(Pointer set);

        /** {@code int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset)}. */
        public static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

        /** {@code int execvpe(const char *file, char *const argv[], char *const envp[])}. */
        public static native int execvpe(byte[] file, Pointer argv, Pointer envp);

        /** {@code pid_t waitpid(pid_t pid, int *status, int options)}. */
        public static native int waitpid(int pid, int[] status, int options);

        /** {@code int kill(pid_t pid, int sig)}. */
        public static native int kill(int pid, int sig);

        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}; {@code nfds_t} is 64-bit here. */
        public static native int poll(byte[] fds, long nfds, int timeout);
    }
}
