package dev.pidlock.example.mkdir;

import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.StaleDetector;
import dev.pidlock.spi.StaleVerdict;
import dev.pidlock.spi.UnsafeFileException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The lock directory of one pidfile, {@code NAME.lock.d} beside it, and the protocol on it. The lock is held by
 * whoever's owner entry ({@link OwnerRecord}) is the one entry in that directory.
 *
 * <ul>
 *   <li><b>Take:</b> make a staging directory {@code NAME.lock.d.NONCE.new} with {@code mkdir}, put the owner
 *       entry in it, and {@code rename(2)} it to {@code NAME.lock.d}. The rename succeeds when nothing is there
 *       or an empty directory is (POSIX replaces an empty directory atomically), and fails when a lock
 *       directory with an owner is there. So the lock directory never exists without its owner entry: a taker
 *       killed at any moment leaves either a complete lock (judged by its owner) or a staging directory (swept
 *       later), never an anonymous one nobody can judge — which a bare {@code mkdir NAME.lock.d} followed by
 *       writing the owner would leave.</li>
 *   <li><b>Release:</b> remove the own owner entry, then the directory ({@code rmdir}, which fails harmlessly
 *       when another taker's directory has already replaced the emptied one).</li>
 *   <li><b>Break</b> a stale lock: remove <em>that</em> owner entry (its name is unique), then the directory,
 *       then take as usual. Of two breakers only one removes the entry; the other's remove fails, and its take
 *       then meets either nothing or the winner's live lock. A breaker that judged an entry that was replaced
 *       meanwhile removes nothing, because the new entry has another name.</li>
 * </ul>
 */
final class LockDirectory {

    static final System.Logger LOG = System.getLogger("dev.pidlock.example.mkdir");

    /** The suffix of the lock directory's name. */
    static final String SUFFIX = ".lock.d";

    /** The longest pidfile name used as it is in the lock directory's name (the rest is hashed). */
    private static final int MAX_KEY_BYTES = 200;

    /** How old an empty staging directory must be before a sweep removes it. */
    private static final Duration EMPTY_STAGING_AGE = Duration.ofMinutes(1);

    /** What one attempt to take the lock came to. */
    enum Outcome {
        /** The lock directory is ours. */
        TAKEN,
        /** Somebody else's lock directory is there. */
        HELD,
        /** The lock directory changed under the attempt (released, broken): try again. */
        RETRY
    }

    /** What is at the lock directory's path. */
    enum Kind {
        /** Nothing: the lock is free. */
        ABSENT,
        /** An empty directory, left by a release or a break in progress: free. */
        EMPTY,
        /** A lock directory with one owner entry. */
        OWNED,
        /** A directory with entries that are not one owner entry: held by something this backend does not know. */
        FOREIGN,
        /** Not a directory: refused. */
        NOT_A_DIRECTORY
    }

    /**
     * @param kind    what is there
     * @param owner   the owner, when {@code OWNED}
     * @param type    the file type, when {@code NOT_A_DIRECTORY}
     * @param entries the entries seen (at most a few), for messages
     */
    record Look(Kind kind, Optional<OwnerRecord> owner, Optional<PathFacts.FileType> type, List<String> entries) {
    }

    private final Path pidfile;
    private final Path parent;
    private final String key;
    private final Path dir;

    private LockDirectory(Path pidfile) {
        this.pidfile = pidfile;
        this.parent = pidfile.toAbsolutePath().getParent();
        this.key = key(pidfile.getFileName().toString());
        this.dir = parent.resolve(key + SUFFIX);
    }

    /**
     * @param pidfile a pidfile
     * @return its lock directory
     */
    static LockDirectory beside(Path pidfile) {
        return new LockDirectory(pidfile);
    }

    /** @return the lock directory's path */
    Path path() {
        return dir;
    }

    /**
     * The pidfile's name, or for names over {@value #MAX_KEY_BYTES} bytes in UTF-8 a prefix of it and a hash of
     * the whole, so that the lock directory's and the staging directories' names stay within 255 bytes.
     */
    static String key(String fileName) {
        byte[] utf8 = fileName.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_KEY_BYTES) {
            return fileName;
        }
        StringBuilder prefix = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < fileName.length(); ) {
            int cp = fileName.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_KEY_BYTES - 17) {
                break;
            }
            prefix.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(utf8);
            StringBuilder hex = new StringBuilder("~");
            for (int i = 0; i < 8; i++) {
                hex.append(String.format("%02x", hash[i]));
            }
            return prefix + hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // ---- taking ----

    /** A staging directory holding a fresh owner entry, ready to be renamed into place. */
    final class Staging implements AutoCloseable {
        final OwnerRecord owner;
        final Path path;
        private boolean used;

        private Staging(OwnerRecord owner, Path path) {
            this.owner = owner;
            this.path = path;
        }

        /** @return whether the staging directory is still there (not renamed into place, not swept) */
        boolean present() {
            return Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }

        /** Removes the staging directory unless it became the lock directory. */
        @Override
        public void close() {
            if (used) {
                return;
            }
            try {
                Files.deleteIfExists(path.resolve(owner.fileName()));
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "could not remove staging directory " + path + ": " + e);
            }
        }
    }

    /**
     * Makes a staging directory with a fresh owner entry.
     *
     * @param mode the lock directory's mode (who may list it, who may break it)
     * @return the staging directory
     * @throws IOException when it cannot be made
     */
    Staging stage(Set<PosixFilePermission> mode) throws IOException {
        for (int attempt = 0; ; attempt++) {
            OwnerRecord owner = OwnerRecord.forThisProcess();
            Path staging = parent.resolve(key + SUFFIX + "." + owner.nonce() + ".new");
            try {
                Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(mode));
            } catch (FileAlreadyExistsException e) {
                if (attempt < 8) {
                    continue;
                }
                throw e;
            }
            Staging s = new Staging(owner, staging);
            try {
                // undo the umask on the directory made here: opened with O_NOFOLLOW and fchmod-ed by the JDK, so
                // that a symlink put in its place meanwhile is refused, never followed
                Files.getFileAttributeView(staging, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(mode);
                Files.createFile(staging.resolve(owner.fileName()));
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            return s;
        }
    }

    /**
     * What one attempt came to, and, for a retry after a rename that failed although nothing held the lock, that
     * failure (the caller gives up with it when it keeps happening: a read-only or full file system, a
     * directory that may not be written).
     *
     * @param outcome     taken, held, or retry
     * @param unexplained the failure of a rename that no lock explains, or null
     */
    record Result(Outcome outcome, IOException unexplained) {
    }

    /**
     * One attempt to take the lock with {@code staging}: rename it into place; when somebody's lock is there,
     * look at it, and break it when {@code judgeNow} lets it be judged and the detector says its owner is gone.
     *
     * @param staging  the staging directory to rename into place
     * @param judgeNow whether to judge this owner now (a waiter judges the same owner now and then, not at every
     *                 retry)
     * @param detector decides about owners of this boot and pid namespace
     * @return the outcome
     * @throws IOException when something other than a lock is at the path, or a stale lock cannot be broken
     */
    Result attempt(Staging staging, Predicate<OwnerRecord> judgeNow, StaleDetector detector) throws IOException {
        FileSystemException refused;
        try {
            Files.move(staging.path, dir, StandardCopyOption.ATOMIC_MOVE);
            staging.used = true;
            return new Result(Outcome.TAKEN, null);
        } catch (NoSuchFileException e) {
            if (!staging.present()) {
                // Renamed after all (an NFS server that did the rename and lost the reply), or swept: which one?
                if (ownedBy(staging.owner)) {
                    staging.used = true;
                    return new Result(Outcome.TAKEN, null);
                }
                throw new IOException("staging directory " + staging.path + " disappeared", e);
            }
            throw e;
        } catch (FileSystemException e) {
            // ENOTEMPTY or EEXIST when a lock directory with an owner is there; anything else shows below
            refused = e;
        }
        Look look = look();
        switch (look.kind()) {
            case ABSENT, EMPTY -> {
                return new Result(Outcome.RETRY, refused);
            }
            case NOT_A_DIRECTORY -> throw new UnsafeFileException(dir, "is a "
                    + look.type().orElseThrow().describe() + ", not a lock directory");
            case FOREIGN -> {
                return new Result(Outcome.HELD, null);
            }
            case OWNED -> {
                // judged below
            }
        }
        OwnerRecord owner = look.owner().orElseThrow();
        if (owner.nonce().equals(staging.owner.nonce())) {
            staging.used = true;
            return new Result(Outcome.TAKEN, null);
        }
        if (!judgeNow.test(owner)) {
            return new Result(Outcome.HELD, null);
        }
        StaleVerdict verdict = Staleness.judge(owner, pidfile, detector);
        if (!verdict.kind().isStale()) {
            return new Result(Outcome.HELD, null);
        }
        breakStale(owner, verdict);
        return new Result(Outcome.RETRY, null);
    }

    /** Removes a stale owner's entry (exactly one breaker succeeds), then the emptied directory. */
    private void breakStale(OwnerRecord owner, StaleVerdict verdict) throws IOException {
        try {
            Files.delete(dir.resolve(owner.fileName()));
            LOG.log(Level.INFO, () -> "broke the stale lock " + dir + " of " + owner + ": " + verdict.reason());
        } catch (NoSuchFileException e) {
            LOG.log(Level.DEBUG, () -> "the stale lock " + dir + " of " + owner + " was broken by another process");
        }
        removeIfEmpty(dir);
    }

    /** @return whether the lock directory holds {@code owner}'s entry */
    boolean ownedBy(OwnerRecord owner) {
        return Files.exists(dir.resolve(owner.fileName()), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    // ---- releasing ----

    /**
     * Removes {@code owner}'s entry and the lock directory.
     *
     * @param owner the owner entry of this holder
     * @throws IOException when the entry is gone (somebody broke the lock while it was held) or cannot be removed
     */
    void release(OwnerRecord owner) throws IOException {
        try {
            Files.delete(dir.resolve(owner.fileName()));
        } catch (NoSuchFileException e) {
            throw new IOException("release " + dir + ": its owner entry " + owner.fileName() + " is gone; another"
                    + " process broke this lock while it was held", e);
        } finally {
            removeIfEmpty(dir);
        }
    }

    private static void removeIfEmpty(Path directory) {
        try {
            Files.delete(directory);
        } catch (IOException e) {
            // gone already, or somebody's lock directory replaced the emptied one: theirs now
            LOG.log(Level.DEBUG, () -> "rmdir " + directory + ": " + e);
        }
    }

    // ---- looking ----

    /**
     * @return what is at the lock directory's path, without changing anything
     * @throws IOException when it cannot be examined
     */
    Look look() throws IOException {
        return look(dir);
    }

    private static Look look(Path directory) throws IOException {
        Optional<PathFacts> facts = PathFacts.read(directory);
        if (facts.isEmpty()) {
            return new Look(Kind.ABSENT, Optional.empty(), Optional.empty(), List.of());
        }
        if (facts.get().type() != PathFacts.FileType.DIRECTORY) {
            return new Look(Kind.NOT_A_DIRECTORY, Optional.empty(), Optional.of(facts.get().type()), List.of());
        }
        List<String> entries = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(directory)) {
            for (Path p : list) {
                entries.add(p.getFileName().toString());
                if (entries.size() > 4) {
                    break;
                }
            }
        } catch (NoSuchFileException e) {
            return new Look(Kind.ABSENT, Optional.empty(), Optional.empty(), List.of());
        }
        if (entries.isEmpty()) {
            return new Look(Kind.EMPTY, Optional.empty(), Optional.empty(), List.of());
        }
        Optional<OwnerRecord> owner = entries.size() == 1 ? OwnerRecord.parse(entries.get(0)) : Optional.empty();
        return new Look(owner.isPresent() ? Kind.OWNED : Kind.FOREIGN, owner, Optional.empty(), List.copyOf(entries));
    }

    /**
     * Looks at the lock without taking it. A stale owner counts as free (the next acquirer breaks it); the
     * owner's pid is reported only when it is a pid of this kernel and pid namespace.
     *
     * @param detector decides about owners of this boot and pid namespace
     * @return what was seen
     * @throws IOException when the lock directory cannot be examined
     */
    LockProbe probe(StaleDetector detector) throws IOException {
        Look look = look();
        return switch (look.kind()) {
            case ABSENT, EMPTY -> LockProbe.free();
            case NOT_A_DIRECTORY -> LockProbe.unknown();
            case FOREIGN -> LockProbe.held();
            case OWNED -> {
                OwnerRecord owner = look.owner().orElseThrow();
                if (Staleness.judge(owner, pidfile, detector).kind().isStale()) {
                    yield LockProbe.free();
                }
                yield Staleness.pidIsLocal(owner) ? LockProbe.heldBy(owner.pid()) : LockProbe.held();
            }
        };
    }

    // ---- sweeping ----

    /**
     * Removes staging directories of this pidfile that their makers left behind (killed between making one
     * and renaming it): those whose owner is stale, and empty ones older than a minute. Never fails.
     *
     * @param detector decides about owners of this boot and pid namespace
     */
    void sweep(StaleDetector detector) {
        String prefix = key + SUFFIX + ".";
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(parent, p -> {
            String name = p.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(".new");
        })) {
            list.forEach(candidates::add);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "could not list " + parent + " for leftover staging directories: " + e);
            return;
        }
        for (Path staging : candidates) {
            try {
                Look look = look(staging);
                if (look.kind() == Kind.OWNED) {
                    OwnerRecord owner = look.owner().orElseThrow();
                    StaleVerdict verdict = Staleness.judge(owner, pidfile, detector);
                    if (verdict.kind().isStale()) {
                        Files.deleteIfExists(staging.resolve(owner.fileName()));
                        removeIfEmpty(staging);
                        LOG.log(Level.INFO, () -> "removed the staging directory " + staging + " that " + owner
                                + " left behind: " + verdict.reason());
                    }
                } else if (look.kind() == Kind.EMPTY) {
                    Instant modified = Files.getLastModifiedTime(staging, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            .toInstant();
                    if (modified.plus(EMPTY_STAGING_AGE).isBefore(Instant.now())) {
                        removeIfEmpty(staging);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "could not sweep " + staging + ": " + e);
            }
        }
    }

    /**
     * @param pidfileMode the pidfile's mode
     * @return the lock directory's mode: whoever may read the pidfile may list the lock, whoever may write it
     *         may break a stale lock; the owner always may
     */
    static Set<PosixFilePermission> modeFor(Set<PosixFilePermission> pidfileMode) {
        Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE);
        if (pidfileMode.contains(PosixFilePermission.GROUP_READ)) {
            mode.add(PosixFilePermission.GROUP_READ);
            mode.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (pidfileMode.contains(PosixFilePermission.GROUP_WRITE)) {
            mode.add(PosixFilePermission.GROUP_WRITE);
            mode.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (pidfileMode.contains(PosixFilePermission.OTHERS_READ)) {
            mode.add(PosixFilePermission.OTHERS_READ);
            mode.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        if (pidfileMode.contains(PosixFilePermission.OTHERS_WRITE)) {
            mode.add(PosixFilePermission.OTHERS_WRITE);
            mode.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return mode;
    }
}
