package dev.pidlock.spi;

import java.util.Objects;

/**
 * A stale detector's answer about a {@link RecordedHolder}.
 *
 * @param kind   what the detector concluded
 * @param reason why, in a few words, for logs and status output
 * @since 0.1
 */
public record StaleVerdict(Kind kind, String reason) {

    /**
     * What a detector can conclude.
     *
     * @since 0.1
     */
    public enum Kind {
        /**
         * The named process lives and may be the one that wrote the file.
         *
         * @since 0.1
         */
        ALIVE,
        /**
         * No process has that pid.
         *
         * @since 0.1
         */
        DEAD,
        /**
         * A process has that pid but cannot have written the file (it started later): the pid was reused.
         *
         * @since 0.1
         */
        REUSED,
        /**
         * A process has that pid but it is not the expected program.
         *
         * @since 0.1
         */
        MISMATCH,
        /**
         * This detector cannot tell; others decide.
         *
         * @since 0.1
         */
        UNDECIDED;

        /**
         * @return whether this verdict lets an acquirer take the pidfile over
         * @since 0.1
         */
        public boolean isStale() {
            return this == DEAD || this == REUSED || this == MISMATCH;
        }
    }

    /**
     * Checks that neither part is null.
     *
     * @param kind   what the detector concluded
     * @param reason why, in a few words, for logs and status output
     * @since 0.1
     */
    public StaleVerdict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason why
     * @return an ALIVE verdict
     * @since 0.1
     */
    public static StaleVerdict alive(String reason) {
        return new StaleVerdict(Kind.ALIVE, reason);
    }

    /**
     * @param reason why
     * @return a DEAD verdict
     * @since 0.1
     */
    public static StaleVerdict dead(String reason) {
        return new StaleVerdict(Kind.DEAD, reason);
    }

    /**
     * @param reason why
     * @return a REUSED verdict
     * @since 0.1
     */
    public static StaleVerdict reused(String reason) {
        return new StaleVerdict(Kind.REUSED, reason);
    }

    /**
     * @param reason why
     * @return a MISMATCH verdict
     * @since 0.1
     */
    public static StaleVerdict mismatch(String reason) {
        return new StaleVerdict(Kind.MISMATCH, reason);
    }

    /**
     * @param reason why
     * @return an UNDECIDED verdict
     * @since 0.1
     */
    public static StaleVerdict undecided(String reason) {
        return new StaleVerdict(Kind.UNDECIDED, reason);
    }
}
