package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A system call failed: names the call, the path and the errno, for example
 * {@code fcntl(F_OFD_SETLK) /run/app.pid: EINVAL (22)}. Backends that call the C library throw it, at one
 * place, so that pidlock can report the errno by name.
 *
 * @since 0.1
 */
public class NativeCallException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The call, with its command where it has one. */
    private final String call;
    /** The errno's symbolic name. */
    private final String errnoName;
    /** The errno's number. */
    private final int errno;

    /**
     * @param call      the call, with its command where it has one, for example {@code fcntl(F_OFD_SETLK)}
     * @param path      the file it was made on
     * @param errnoName the errno's symbolic name, for example {@code EINVAL}
     * @param errno     the errno's number
     * @param reason    the system's text for it ({@code strerror})
     * @since 0.1
     */
    public NativeCallException(String call, Path path, String errnoName, int errno, String reason) {
        super(call + " " + path + ": " + errnoName + " (" + errno + (reason == null ? "" : ", " + reason) + ")");
        this.call = call;
        this.errnoName = errnoName;
        this.errno = errno;
    }

    /**
     * @return the failed call
     * @since 0.1
     */
    public String call() {
        return call;
    }

    /**
     * @return the errno's symbolic name
     * @since 0.1
     */
    public String errnoName() {
        return errnoName;
    }

    /**
     * @return the errno's number
     * @since 0.1
     */
    public int errno() {
        return errno;
    }
}
