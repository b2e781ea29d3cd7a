package dev.pidlock.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pidfile store over java.nio ({@link PidFileStore#nio()}). java.nio cannot {@code fstat} or {@code fchmod}
 * a channel: the open file's identity is inferred from {@code lstat} before and after opening (and is
 * uncertain when the two differ), and the mode is set through the path right after checking that the path
 * still names the open file. A backend that locks the channel itself reaches it with {@link #channel}.
 *
 * @since 0.2
 */
public final class NioPidFileStore implements PidFileStore {

    static final NioPidFileStore INSTANCE = new NioPidFileStore();

    private static final int OPEN_ATTEMPTS = 16;

    private NioPidFileStore() {
    }

    /**
     * The channel of a file this store opened, for a backend whose exclusion is a lock on it.
     *
     * @param file a file opened by {@link PidFileStore#nio()}
     * @return its channel
     * @throws IllegalArgumentException when another store opened it
     * @since 0.2
     */
    public static FileChannel channel(OpenPidFile file) {
        if (file instanceof NioFile f) {
            return f.channel;
        }
        throw new IllegalArgumentException(file + " was not opened by the java.nio store");
    }

    /**
     * @param path what to examine
     * @return what the JDK's {@code unix:} attribute view says, not following a final symlink
     * @throws IOException when it cannot be examined
     * @since 0.2
     */
    @Override
    public Optional<PathFacts> examine(Path path) throws IOException {
        return PathFacts.read(path);
    }

    /**
     * Opens with {@code NOFOLLOW_LINKS} after an {@code lstat} that refuses anything but a regular file,
     * creating an absent file (for locking) with {@link java.nio.file.Files#createFile}; the identity is certain
     * when a second {@code lstat} after opening names the same file. Refuses an inheritable request.
     *
     * @param path    the pidfile
     * @param request how to open it
     * @return the open pidfile
     * @throws IOException when it cannot be opened safely
     * @since 0.2
     */
    @Override
    public OpenPidFile open(Path path, OpenRequest request) throws IOException {
        if (request.inheritable()) {
            throw new IOException("open " + path + ": a java.nio channel cannot be passed across exec;"
                    + " use a native backend (ofd, flock, ofd+flock)");
        }
        for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            Optional<PathFacts> before = PathFacts.read(path);
            if (before.isEmpty()) {
                if (!request.forLocking()) {
                    throw new NoSuchFileException(path.toString());
                }
                try {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(request.createMode()));
                } catch (FileAlreadyExistsException raced) {
                    // somebody else created it (or a symlink appeared): look again
                }
                continue;
            }
            if (before.get().type() != PathFacts.FileType.REGULAR) {
                throw new UnsafeFileException(path, "is a " + before.get().type().describe()
                        + ", not a regular file");
            }
            FileChannel channel;
            try {
                channel = request.forLocking()
                        ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                                LinkOption.NOFOLLOW_LINKS)
                        : FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                continue;
            }
            Optional<PathFacts> after = PathFacts.read(path);
            boolean same = after.isPresent() && after.get().type() == PathFacts.FileType.REGULAR
                    && after.get().identity().equals(before.get().identity());
            return new NioFile(path, channel, same ? before.get().identity() : null);
        }
        throw new IOException("open " + path + ": the file kept changing while being opened ("
                + OPEN_ATTEMPTS + " attempts)");
    }

    /**
     * @return {@code PidFileStore[nio]}
     * @since 0.2
     */
    @Override
    public String toString() {
        return "PidFileStore[nio]";
    }

    /** One pidfile open through java.nio. */
    private static final class NioFile implements OpenPidFile {
        private static final Path SELF_FD = Path.of("/proc/self/fd");

        private final Path path;
        private final FileChannel channel;
        private final FileIdentity identity;

        /** @param identity the file's identity, or null when the path changed while it was opened */
        NioFile(Path path, FileChannel channel, FileIdentity identity) {
            this.path = path;
            this.channel = channel;
            this.identity = identity;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public FileIdentity identity() throws IOException {
            if (identity == null) {
                throw new UncertainIdentityException(path);
            }
            return identity;
        }

        /**
         * Reads from the start. A pending interrupt is cleared for the duration and set again: an interrupt
         * closes a {@code FileChannel} at its next operation, which would lose the file and its lock.
         */
        @Override
        public byte[] read(int limit) throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                ByteBuffer buf = ByteBuffer.allocate(limit);
                long position = 0;
                while (buf.hasRemaining()) {
                    int n = channel.read(buf, position);
                    if (n < 0) {
                        break;
                    }
                    position += n;
                }
                return Arrays.copyOf(buf.array(), buf.position());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Writes in place, then cuts what follows; a pending interrupt is kept aside, as in {@link #read}. */
        @Override
        public void write(byte[] content) throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                ByteBuffer buf = ByteBuffer.wrap(content);
                long position = 0;
                while (buf.hasRemaining()) {
                    position += channel.write(buf, position);
                }
                if (channel.size() > content.length) {
                    channel.truncate(content.length);
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * Changes the mode of the open file itself: through {@code /proc/self/fd/N} of a descriptor of this
         * inode, which names the open file whatever the path names now, and opens nothing (opening and closing a
         * second descriptor would drop a POSIX lock on the file). Without {@code /proc}, by path right after
         * checking that the path still names the file.
         */
        @Override
        public void setMode(Set<PosixFilePermission> mode) throws IOException {
            PathFacts facts = stillOurs("chmod");
            if (facts.mode() == PathFacts.modeBits(mode)) {
                return;
            }
            Files.setPosixFilePermissions(openFile().orElse(path), mode);
        }

        /** Changes the owner of the open file itself, as {@link #setMode} does. */
        @Override
        public void setOwner(String owner, String group) throws IOException {
            stillOurs("chown");
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            Optional<Path> open = openFile();
            PosixFileAttributeView view = open.isPresent()
                    ? Files.getFileAttributeView(open.get(), PosixFileAttributeView.class)
                    : Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            try {
                if (owner != null) {
                    view.setOwner(users.lookupPrincipalByName(owner));
                }
                if (group != null) {
                    GroupPrincipal g = users.lookupPrincipalByGroupName(group);
                    view.setGroup(g);
                }
            } catch (UserPrincipalNotFoundException e) {
                throw new FileSystemException(path.toString(), null, "no user or group " + e.getName());
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException(path.toString()); // the pidfile, not /proc/self/fd/N
            } catch (FileSystemException e) {
                throw new FileSystemException(path.toString(), null, e.getReason());
            }
        }

        /**
         * @return {@code /proc/self/fd/N} for a descriptor of this process open on this file's inode (the
         *         channel's, or another of the same inode: a mode belongs to the inode); empty without {@code /proc}
         */
        private Optional<Path> openFile() {
            if (identity == null) {
                return Optional.empty();
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(SELF_FD)) {
                for (Path fd : fds) {
                    try {
                        Map<String, Object> a = Files.readAttributes(fd, "unix:dev,ino");
                        if (((Number) a.get("ino")).longValue() == identity.inode()
                                && ((Number) a.get("dev")).longValue() == identity.device()) {
                            return Optional.of(fd);
                        }
                    } catch (IOException | RuntimeException closedMeanwhile) {
                        // the directory stream's own descriptor, or one closed since the listing
                    }
                }
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
            return Optional.empty();
        }

        @Override
        public Removal deleteIfStillOurs() throws IOException {
            Optional<PathFacts> now = PathFacts.read(path);
            if (now.isEmpty()) {
                return Removal.ABSENT;
            }
            if (!now.get().identity().equals(identity)) {
                return Removal.REPLACED;
            }
            try {
                Files.delete(path);
            } catch (NoSuchFileException gone) {
                return Removal.ABSENT;
            }
            return Removal.REMOVED;
        }

        private PathFacts stillOurs(String operation) throws IOException {
            Optional<PathFacts> now = PathFacts.read(path);
            if (now.isEmpty() || now.get().type() != PathFacts.FileType.REGULAR
                    || !now.get().identity().equals(identity)) {
                throw new IOException(operation + " " + path + ": the path no longer names the locked file");
            }
            return now.get();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String toString() {
            return "NioFile[" + path + (identity != null ? ", " + identity : "") + "]";
        }
    }
}
