package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code lstat} says of a path: its identity, type, permission bits, owner and modification time.
 * The last path component is never followed.
 *
 * @param identity  device and inode
 * @param type      what kind of file it is
 * @param mode      the permission bits ({@code st_mode & 07777})
 * @param ownerUid  the owner's user id
 * @param modifiedNanos modification time, nanoseconds since the epoch
 * @since 0.1
 */
public record PathFacts(FileIdentity identity, FileType type, int mode, int ownerUid, long modifiedNanos) {

    /**
     * The kinds of file a pidfile path can name.
     *
     * @since 0.1
     */
    public enum FileType {
        /**
         * A regular file: the only kind pidlock opens.
         *
         * @since 0.1
         */
        REGULAR,
        /**
         * A directory.
         *
         * @since 0.1
         */
        DIRECTORY,
        /**
         * A symbolic link; pidlock never follows one into a pidfile.
         *
         * @since 0.1
         */
        SYMLINK,
        /**
         * A named pipe; opening one could block.
         *
         * @since 0.1
         */
        FIFO,
        /**
         * A Unix domain socket.
         *
         * @since 0.1
         */
        SOCKET,
        /**
         * A character or block device.
         *
         * @since 0.1
         */
        DEVICE;

        /**
         * @return a short lowercase description, as used in messages
         * @since 0.1
         */
        public String describe() {
            return switch (this) {
                case REGULAR -> "regular file";
                case DIRECTORY -> "directory";
                case SYMLINK -> "symbolic link";
                case FIFO -> "FIFO";
                case SOCKET -> "socket";
                case DEVICE -> "device";
            };
        }
    }

    private static final int S_IFMT = 0170000;

    /**
     * Examines {@code path} without following a final symlink.
     *
     * @param path what to examine
     * @return its facts, or empty when nothing is there
     * @throws IOException when it cannot be examined (permission, I/O, no Unix attributes on this platform)
     * @since 0.1
     */
    public static Optional<PathFacts> read(Path path) throws IOException {
        return read(path, "lstat", LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Examines what {@code path} leads to, following symlinks ({@code stat}): one system call where resolving
     * the real path first would read every link on the way.
     *
     * @param path what to examine
     * @return its facts, or empty when nothing is there
     * @throws IOException when it cannot be examined (permission, I/O, no Unix attributes on this platform)
      * @since 0.1
     */
    public static Optional<PathFacts> readFollowing(Path path) throws IOException {
        return read(path, "stat");
    }

    private static Optional<PathFacts> read(Path path, String call, LinkOption... options) throws IOException {
        if (!FileIdentity.unixViewSupported(path)) {
            throw new IOException(call + " " + path + ": this file system has no Unix attributes");
        }
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:dev,ino,mode,uid,lastModifiedTime", options);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int rawMode = ((Number) a.get("mode")).intValue();
        long nanos = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime"))
                .to(java.util.concurrent.TimeUnit.NANOSECONDS);
        return Optional.of(new PathFacts(FileIdentity.from(a), typeOf(rawMode), rawMode & 07777,
                ((Number) a.get("uid")).intValue(), nanos));
    }

    /**
     * The facts of a {@code struct stat}, for backends that call {@code lstat} themselves.
     *
     * @param identity      device and inode
     * @param rawMode       {@code st_mode}: the file type bits and the permission bits
     * @param ownerUid      {@code st_uid}
     * @param modifiedNanos {@code st_mtim} in nanoseconds since the epoch
     * @return the facts
     * @since 0.1
     */
    public static PathFacts fromStat(FileIdentity identity, int rawMode, int ownerUid, long modifiedNanos) {
        return new PathFacts(identity, typeOf(rawMode), rawMode & 07777, ownerUid, modifiedNanos);
    }

    /**
     * @param mode permissions
     * @return them as the bits of {@code st_mode} ({@code 0644} for owner read and write, group and others read)
     * @since 0.2
     */
    public static int modeBits(java.util.Set<java.nio.file.attribute.PosixFilePermission> mode) {
        int bits = 0;
        for (java.nio.file.attribute.PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return bits;
    }

    static FileType typeOf(int rawMode) {
        return switch (rawMode & S_IFMT) {
            case 0100000 -> FileType.REGULAR;
            case 0040000 -> FileType.DIRECTORY;
            case 0120000 -> FileType.SYMLINK;
            case 0010000 -> FileType.FIFO;
            case 0140000 -> FileType.SOCKET;
            default -> FileType.DEVICE;
        };
    }

    /**
     * @return whether others may write here ({@code o+w})
     * @since 0.1
     */
    public boolean worldWritable() {
        return (mode & 0002) != 0;
    }

    /**
     * @return whether the sticky bit is set (only owners may remove entries of such a directory)
     * @since 0.1
     */
    public boolean sticky() {
        return (mode & 01000) != 0;
    }
}
