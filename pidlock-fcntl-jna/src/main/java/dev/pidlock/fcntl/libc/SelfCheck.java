package dev.pidlock.fcntl.libc;

import java.io.IOException;

/**
 * What an availability probe asks of an {@link dev.pidlock.spi.Exclusion} it holds, when that is less than
 * {@link dev.pidlock.spi.Exclusion#probe()}: the kernel's own look at the lock, without the parts of a probe
 * that cannot fail (reading {@code /proc/locks}, which answers "unknown" when it cannot be read) and only cost
 * time at the start of every command.
 */
public interface SelfCheck {
    /**
     * Makes the calls of a probe that can fail, on the lock this process holds, and ignores their answer.
     *
     * @throws IOException when one fails
     */
    void selfCheck() throws IOException;
}
