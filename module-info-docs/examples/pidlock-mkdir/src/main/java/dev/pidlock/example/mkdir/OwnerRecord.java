package dev.pidlock.example.mkdir;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who took a lock directory, written as the name of the one entry in it:
 * {@code owner.NONCE.PID.MILLIS.BOOT.PIDNS.HOST}. A name, not a file's content: it appears together with the
 * directory (one {@code rename}), it is read with one directory listing (nothing to open, so nothing can block
 * or be half-written), and the nonce makes every lock directory's entry unique, so that removing it is a
 * compare-and-swap: of two processes breaking the same stale lock, exactly one removes the entry.
 *
 * @param nonce        16 hex digits, unique to one attempt to take the lock
 * @param pid          the owner's pid, in its own pid namespace
 * @param created      when the owner made the entry, by its own clock
 * @param boot         the owner's kernel boot id (32 hex digits), or {@code -} when unknown
 * @param pidNamespace the inode number of the owner's pid namespace, or {@code -} when unknown
 * @param host         the owner's host name (letters, digits, {@code .}, {@code _}, {@code -}), or {@code -}
 */
record OwnerRecord(String nonce, long pid, Instant created, String boot, String pidNamespace, String host) {

    static final String PREFIX = "owner.";
    static final String UNKNOWN = "-";

    /** The longest host name kept; the whole entry name stays far below 255 bytes. */
    static final int MAX_HOST = 100;

    private static final Pattern NAME = Pattern.compile(
            "owner\\.([0-9a-f]{16})\\.([1-9][0-9]{0,18})\\.([0-9]{1,19})\\.([0-9a-f]{32}|-)\\.([0-9]{1,20}|-)\\."
                    + "([A-Za-z0-9._-]{1," + MAX_HOST + "})");

    OwnerRecord {
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(pidNamespace, "pidNamespace");
        Objects.requireNonNull(host, "host");
    }

    /** @return a fresh record for this process, made now, with a new nonce */
    static OwnerRecord forThisProcess() {
        ThisHost me = ThisHost.get();
        return new OwnerRecord(newNonce(), ProcessHandle.current().pid(), Instant.now(), me.boot(), me.pidNamespace(),
                me.host());
    }

    /** @return 64 random bits as 16 hex digits (no SecureRandom: uniqueness is all that is needed) */
    static String newNonce() {
        long n = ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
        String hex = Long.toHexString(n);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** @return the entry's name in the lock directory */
    String fileName() {
        return PREFIX + nonce + "." + pid + "." + created.toEpochMilli() + "." + boot + "." + pidNamespace + "." + host;
    }

    /**
     * @param name an entry's name
     * @return the record it spells, or empty when it is anything else
     */
    static Optional<OwnerRecord> parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new OwnerRecord(m.group(1), Long.parseLong(m.group(2)),
                    Instant.ofEpochMilli(Long.parseLong(m.group(3))), m.group(4), m.group(5), m.group(6)));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * @param raw a host name as the system reports it
     * @return the characters an entry name can carry, others replaced by {@code _}, at most {@link #MAX_HOST}
     */
    static String sanitiseHost(String raw) {
        String s = raw == null ? "" : raw.strip();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < MAX_HOST; i++) {
            char c = s.charAt(i);
            boolean plain = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
            sb.append(plain ? c : '_');
        }
        return sb.length() == 0 ? UNKNOWN : sb.toString();
    }

    @Override
    public String toString() {
        return "pid " + pid + " on " + host + " since " + created;
    }
}
