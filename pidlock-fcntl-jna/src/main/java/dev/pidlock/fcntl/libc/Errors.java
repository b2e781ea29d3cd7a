package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.NativeCallException;
import dev.pidlock.spi.UnsafeFileException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one place where an errno becomes a Java answer: "held" for EAGAIN, EACCES and EWOULDBLOCK, and an
 * exception naming the call, the path and the errno for everything else.
 */
public final class Errors {
    private final Platform platform;

    /** @param platform whose errno numbers to use */
    public Errors(Platform platform) {
        this.platform = platform;
    }

    /**
     * @param errno an errno after a failed lock attempt
     * @return whether it means somebody else holds the lock
     */
    public boolean meansHeld(int errno) {
        Platform.Errno e = platform.errno();
        return errno == e.eagain() || errno == e.eacces();
    }

    /**
     * @param call  the failed call, for example {@code fcntl(F_OFD_SETLK)}
     * @param path  the file
     * @param errno the errno
     * @return the exception to throw
     */
    public NativeCallException failure(String call, Path path, int errno) {
        return new NativeCallException(call, path, platform.errno().name(errno), errno, reason(errno));
    }

    /**
     * @param errno an errno number
     * @return its text ({@code strerror}), for example {@code No such file or directory}; null when the C
     *         library cannot say
     */
    public static String reason(int errno) {
        try {
            return Libc.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Translates a failed {@code open}: absent → {@link NoSuchFileException}, a symlink (ELOOP under
     * O_NOFOLLOW) or a directory → {@link UnsafeFileException}, anything else → {@link NativeCallException}.
     *
     * @param path  the file
     * @param errno the errno of {@code open}
     * @return the exception to throw
     */
    public java.io.IOException openFailure(Path path, int errno) {
        Platform.Errno e = platform.errno();
        if (errno == e.enoent()) {
            return new NoSuchFileException(path.toString());
        }
        if (errno == e.eloop()) {
            return new UnsafeFileException(path, "is a symbolic link, not a regular file");
        }
        if (errno == e.eisdir()) {
            return new UnsafeFileException(path, "is a directory, not a regular file");
        }
        return failure("open", path, errno);
    }

    /** @return the platform */
    public Platform platform() {
        return platform;
    }
}
