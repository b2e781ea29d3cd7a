package dev.pidlock.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * Which file an open descriptor or a path names: device and inode number. Two live files never share an
 * identity, so it keys the in-JVM registry of held pidfiles and detects a pidfile replaced under a waiter.
 *
 * @param device the device number ({@code st_dev})
 * @param inode  the inode number ({@code st_ino})
 * @since 0.1
 */
public record FileIdentity(long device, long inode) {

    // Written out rather than generated: a record's generated equals and hashCode are linked through
    // invokedynamic at their first call, which costs milliseconds in a command's start-up.
    /**
     * @param o another object
     * @return whether it is the identity of the same device and inode
     * @since 0.1
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof FileIdentity other && other.device == device && other.inode == inode;
    }

    /**
     * @return a hash of the device and the inode
     * @since 0.1
     */
    @Override
    public int hashCode() {
        return Long.hashCode(device) * 31 + Long.hashCode(inode);
    }

    /**
     * @return {@code dev=D,ino=I}, for messages
     * @since 0.1
     */
    @Override
    public String toString() {
        return "dev=" + device + ",ino=" + inode;
    }

    static FileIdentity from(Map<String, Object> unixAttributes) {
        return new FileIdentity(((Number) unixAttributes.get("dev")).longValue(),
                ((Number) unixAttributes.get("ino")).longValue());
    }

    static boolean unixViewSupported(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("unix");
    }
}
