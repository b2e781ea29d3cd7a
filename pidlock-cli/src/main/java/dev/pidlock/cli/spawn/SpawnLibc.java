package dev.pidlock.cli.spawn;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The C library calls spawning needs, bound with JNA direct mapping. The {@code posix_spawn*} functions and
 * {@code pthread_sigmask} return an errno value (0 on success); the others return -1 and leave errno in
 * {@link Native#getLastError()}. Strings are NUL-terminated bytes, string arrays and opaque structs are
 * {@link com.sun.jna.Memory}. Loaded only after {@link SpawnPlatform#require()} succeeded.
 *
 * <p>Functions that not every C library has ({@code posix_spawn_file_actions_addclosefrom_np} and
 * {@code close_range}: glibc 2.34 and later), and {@code syscall} (variadic, which direct mapping does not
 * do), are looked up one by one as {@link Function}s, so their absence
 * does not break the binding of the rest.
 */
final class SpawnLibc {

    /** The loaded C library. */
    static final NativeLibrary C = NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME);

    static {
        Native.register(SpawnLibc.class, C);
    }

    private SpawnLibc() {
    }

    static native int posix_spawnp(int[] pid, byte[] file, Pointer fileActions, Pointer attr, Pointer argv,
                                   Pointer envp);

    static native int posix_spawn_file_actions_init(Pointer actions);

    static native int posix_spawn_file_actions_destroy(Pointer actions);

    static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

    static native int posix_spawn_file_actions_addclose(Pointer actions, int fd);

    static native int posix_spawnattr_init(Pointer attr);

    static native int posix_spawnattr_destroy(Pointer attr);

    static native int posix_spawnattr_setflags(Pointer attr, short flags);

    static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigmask);

    static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigdefault);

    static native int sigemptyset(Pointer set);

    static native int sigfillset(Pointer set);

    static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    static native int execvpe(byte[] file, Pointer argv, Pointer envp);

    static native int waitpid(int pid, int[] status, int options);

    static native int kill(int pid, int sig);

    static native int open(byte[] path, int flags, int mode);

    static native int close(int fd);

    static native int fcntl(int fd, int cmd, int arg);

    static native String strerror(int errnum);

    /** @return {@code errno} of this thread's last call through JNA */
    static int errno() {
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
     * @param errno an errno value
     * @return its text, for example {@code No such file or directory}
     */
    static String describe(int errno) {
        try {
            return strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            return "errno " + errno;
        }
    }
}
