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

    /** What a detector can conclude. @since 0.1 */
    public enum Kind {
        /** The named process lives and may be the one that wrote the file. */
        ALIVE,
        /** No process has that pid. */
        DEAD,
        /** A process has that pid but cannot have written the file (it started later): the pid was reused. */
        REUSED,
        /** A process has that pid but it is not the expected program. */
        MISMATCH,
        /** This detector cannot tell; others decide. */
        UNDECIDED;

        /** @return whether this verdict lets an acquirer take the pidfile over */
        public boolean isStale() {
            return this == DEAD || this == REUSED || this == MISMATCH;
        }
    }

    public StaleVerdict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /** @param reason why @return an ALIVE verdict */
    public static StaleVerdict alive(String reason) {
        return new StaleVerdict(Kind.ALIVE, reason);
    }

    /** @param reason why @return a DEAD verdict */
    public static StaleVerdict dead(String reason) {
        return new StaleVerdict(Kind.DEAD, reason);
    }

    /** @param reason why @return a REUSED verdict */
    public static StaleVerdict reused(String reason) {
        return new StaleVerdict(Kind.REUSED, reason);
    }

    /** @param reason why @return a MISMATCH verdict */
    public static StaleVerdict mismatch(String reason) {
        return new StaleVerdict(Kind.MISMATCH, reason);
    }

    /** @param reason why @return an UNDECIDED verdict */
    public static StaleVerdict undecided(String reason) {
        return new StaleVerdict(Kind.UNDECIDED, reason);
    }
}
