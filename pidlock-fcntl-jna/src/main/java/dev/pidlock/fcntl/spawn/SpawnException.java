package dev.pidlock.fcntl.spawn;

import java.io.IOException;

/** A command could not be started: names the command, the call and the errno. */
public final class SpawnException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String errnoName;

    /**
     * @param message   one line: the command, the call, the errno name and text
     * @param errnoName for example {@code ENOENT}
     */
    public SpawnException(String message, String errnoName) {
        super(message);
        this.errnoName = errnoName;
    }

    /** @return the errno's name */
    public String errnoName() {
        return errnoName;
    }
}
