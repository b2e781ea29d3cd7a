package dev.pidlock.example.mkdir;

import dev.pidlock.spi.RecordedHolder;
import dev.pidlock.spi.StaleDetector;
import dev.pidlock.spi.StaleVerdict;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a lock directory's owner may be presumed gone. A pid means something only in its own pid namespace on
 * its own running kernel, so the {@link StaleDetector} is asked only about owners of this boot and this pid
 * namespace; for those it gets the pid and the time the owner took the lock (by the owner's clock, which is
 * this machine's). Otherwise:
 *
 * <ul>
 *   <li>the same host name with another boot id: the host has restarted since, so the owner is dead;</li>
 *   <li>another host, or another pid namespace of this kernel (another container): nothing here can examine
 *       the owner, so it counts as alive — the lock is never broken from here.</li>
 * </ul>
 *
 * The host name is what tells a restarted host from another one, as NFS's own lock recovery (NSM) assumes:
 * machines that share a directory must have distinct host names.
 */
final class Staleness {

    private Staleness() {
    }

    /**
     * @param owner    the lock directory's owner
     * @param pidfile  the pidfile it guards, for the detector
     * @param detector decides about owners of this boot and pid namespace
     * @return the verdict; stale ones let the caller break the lock
     */
    static StaleVerdict judge(OwnerRecord owner, Path pidfile, StaleDetector detector) {
        ThisHost me = ThisHost.get();
        boolean bootsKnown = known(owner.boot()) && known(me.boot());
        boolean sameHostName = known(owner.host()) && owner.host().equals(me.host());
        if (bootsKnown && !owner.boot().equals(me.boot())) {
            return sameHostName
                    ? StaleVerdict.dead("host " + owner.host() + " has restarted since pid " + owner.pid()
                            + " took the lock (boot id " + owner.boot() + ", now " + me.boot() + ")")
                    : StaleVerdict.undecided("the lock was taken by pid " + owner.pid() + " on host "
                            + owner.host() + ", which cannot be examined from " + me.host());
        }
        if (!bootsKnown && !sameHostName) {
            return StaleVerdict.undecided("the lock was taken by pid " + owner.pid() + " on host " + owner.host()
                    + ", which cannot be examined from " + me.host());
        }
        if (known(owner.pidNamespace()) && known(me.pidNamespace())
                && !owner.pidNamespace().equals(me.pidNamespace())) {
            return StaleVerdict.undecided("the lock was taken by pid " + owner.pid() + " in pid namespace "
                    + owner.pidNamespace() + " (another container), which cannot be examined from pid namespace "
                    + me.pidNamespace());
        }
        return detector.assess(new RecordedHolder(owner.pid(), pidfile, Optional.of(owner.created())));
    }

    /**
     * @param owner the lock directory's owner
     * @return whether its pid is a pid of this kernel and pid namespace, which a probe may report
     */
    static boolean pidIsLocal(OwnerRecord owner) {
        ThisHost me = ThisHost.get();
        boolean sameBoot = known(owner.boot()) && owner.boot().equals(me.boot());
        boolean sameNamespace = !known(owner.pidNamespace()) || !known(me.pidNamespace())
                || owner.pidNamespace().equals(me.pidNamespace());
        return sameBoot && sameNamespace;
    }

    private static boolean known(String field) {
        return !OwnerRecord.UNKNOWN.equals(field);
    }
}
