package dev.pidlock.spi;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what an acquirer may do with what it finds and what it leaves: whether a live process named in an
 * unlocked pidfile is respected, whether one JVM may re-enter a lock it holds, what release does to the
 * file, the file's mode and owner, and which files to refuse. Every method has the default pidlock uses;
 * override what differs. Policies found with {@link java.util.ServiceLoader} can be selected by
 * {@link #id()}.
 *
 * <p>Some refusals are not a policy's to lift: pidlock never follows a symlink into a pidfile and never
 * opens anything but a regular file.
 *
 * @since 0.1
 */
public interface OwnershipPolicy {

    /**
     * The mode pidfiles get unless a policy says otherwise: {@code rw-r--r--}.
     *
     * @since 0.1
     */
    Set<PosixFilePermission> DEFAULT_MODE = Set.copyOf(PosixFilePermissions.fromString("rw-r--r--"));

    /**
     * @return the id this policy is selected by
     * @since 0.1
     */
    default String id() {
        return getClass().getName();
    }

    /**
     * @return true (the default) to refuse with "already running" when an unlocked pidfile names a live
     *         process that may have written it, respecting tools that write pidfiles without locking
     * @since 0.1
     */
    default boolean respectsLiveUnlockedHolder() {
        return true;
    }

    /**
     * @return true to count a second acquisition of a held file in the same JVM instead of refusing it
     * @since 0.1
     */
    default boolean allowsReentry() {
        return false;
    }

    /**
     * @return what release does to the file (default: delete it)
     * @since 0.1
     */
    default ReleaseAction releaseAction() {
        return ReleaseAction.DELETE;
    }

    /**
     * @return the permission bits set on the pidfile through the descriptor, whatever the umask
     * @since 0.1
     */
    default Set<PosixFilePermission> mode() {
        return DEFAULT_MODE;
    }

    /**
     * @return the user to own the pidfile, when it should change
     * @since 0.1
     */
    default Optional<String> owner() {
        return Optional.empty();
    }

    /**
     * @return the group to own the pidfile, when it should change
     * @since 0.1
     */
    default Optional<String> group() {
        return Optional.empty();
    }

    /**
     * Vets the directory a pidfile is in before anything is opened. The default refuses a world-writable
     * directory without the sticky bit, where anybody could replace the pidfile.
     *
     * @param directory the lstat facts of the pidfile's directory
     * @return why to refuse, or empty to go on
     * @since 0.1
     */
    default Optional<String> refuseDirectory(PathFacts directory) {
        if (directory.worldWritable() && !directory.sticky()) {
            return Optional.of("is in a world-writable directory without the sticky bit");
        }
        return Optional.empty();
    }

    /**
     * Vets an existing pidfile (a regular file) before it is opened.
     *
     * @param pidfile the lstat facts of the file
     * @return why to refuse, or empty to go on (the default)
     * @since 0.1
     */
    default Optional<String> refuseFile(PathFacts pidfile) {
        return Optional.empty();
    }

    /**
     * @return pidlock's default policy, id {@code default}
     * @since 0.1
     */
    static OwnershipPolicy defaults() {
        return DefaultOwnershipPolicy.INSTANCE;
    }
}
