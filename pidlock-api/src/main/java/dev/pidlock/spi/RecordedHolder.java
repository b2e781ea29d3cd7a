package dev.pidlock.spi;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The process a pidfile names, as a {@link StaleDetector} is asked about it.
 *
 * @param pid       the pid read from the file (always &gt; 1)
 * @param pidfile   the pidfile
 * @param writtenAt when the file was last modified, when known
 * @since 0.1
 */
public record RecordedHolder(long pid, Path pidfile, Optional<Instant> writtenAt) {
}
