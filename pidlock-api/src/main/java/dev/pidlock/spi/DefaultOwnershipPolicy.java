package dev.pidlock.spi;

/** pidlock's default ownership policy: every default of {@link OwnershipPolicy}. */
final class DefaultOwnershipPolicy implements OwnershipPolicy {
    static final DefaultOwnershipPolicy INSTANCE = new DefaultOwnershipPolicy();

    private DefaultOwnershipPolicy() {
    }

    @Override
    public String id() {
        return "default";
    }

    @Override
    public String toString() {
        return "OwnershipPolicy[default]";
    }
}
