package dev.pidlock;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Checks a pidfile owner's user and group names when the builder is given them, so that an unknown one is a
 * one-line error before anything is opened. The JDK's lookup takes a name, or a number that no name matches.
 */
final class Owners {

    private Owners() {
    }

    /** @return {@code user}, stripped, once it is known to exist */
    static String user(String user) {
        String name = user.strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the pidfile's owner is blank");
        }
        try {
            lookup().lookupPrincipalByName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("no user \"" + name + "\" (neither a name nor a numeric uid)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look up user \"" + name + "\": " + e.getMessage(), e);
        }
        return name;
    }

    /** @return {@code group}, stripped, once it is known to exist */
    static String group(String group) {
        String name = group.strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the pidfile's group is blank");
        }
        try {
            lookup().lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("no group \"" + name + "\" (neither a name nor a numeric gid)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look up group \"" + name + "\": " + e.getMessage(), e);
        }
        return name;
    }

    private static UserPrincipalLookupService lookup() {
        return FileSystems.getDefault().getUserPrincipalLookupService();
    }
}
