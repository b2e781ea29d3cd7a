package dev.pidlock;

import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.ReleaseAction;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/** A policy with some answers changed by the builder's shortcuts; the rest comes from the base. */
record AdjustedPolicy(OwnershipPolicy base, ReleaseAction release, Set<PosixFilePermission> fileMode,
                      Boolean reentry, Boolean respectLive, String fileOwner, String fileGroup)
        implements OwnershipPolicy {

    @Override
    public String id() {
        return base.id();
    }

    @Override
    public boolean respectsLiveUnlockedHolder() {
        return respectLive != null ? respectLive : base.respectsLiveUnlockedHolder();
    }

    @Override
    public boolean allowsReentry() {
        return reentry != null ? reentry : base.allowsReentry();
    }

    @Override
    public ReleaseAction releaseAction() {
        return release != null ? release : base.releaseAction();
    }

    @Override
    public Set<PosixFilePermission> mode() {
        return fileMode != null ? fileMode : base.mode();
    }

    @Override
    public Optional<String> owner() {
        return fileOwner != null ? Optional.of(fileOwner) : base.owner();
    }

    @Override
    public Optional<String> group() {
        return fileOwner != null ? Optional.ofNullable(fileGroup) : base.group();
    }

    @Override
    public Optional<String> refuseDirectory(PathFacts directory) {
        return base.refuseDirectory(directory);
    }

    @Override
    public Optional<String> refuseFile(PathFacts pidfile) {
        return base.refuseFile(pidfile);
    }
}
