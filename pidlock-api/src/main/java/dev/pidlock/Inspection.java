package dev.pidlock;

import static dev.pidlock.Self.LOG;

import dev.pidlock.PidFileStatus.LockState;
import dev.pidlock.PidFileStatus.State;
import dev.pidlock.internal.content.PidContent;
import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.registry.HeldFiles;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.LockHolder;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.RecordedHolder;
import dev.pidlock.spi.StaleVerdict;
import dev.pidlock.spi.UncertainIdentityException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a pidfile's status without acquiring it. A file this JVM holds is answered from the registry,
 * without opening it; any other is opened read-only through the registry, so that a descriptor is never
 * closed while this JVM locks the same file through another.
 */
final class Inspection {
    private static final HeldFiles<Hold> REGISTRY = Hold.REGISTRY;

    private Inspection() {
    }

    static PidFileStatus inspect(Config config) {
        Path path = config.path();
        Optional<LockProbe> remote;
        try {
            remote = config.backend().probe(path);
        } catch (IOException e) {
            return unknown(path, IoErrors.translate(path, "probe", e).getMessage());
        }
        if (remote.isEmpty() || remote.get().state() != LockProbe.State.HELD) {
            // a kernel lock, or a lock that lives off this host and is free (or cannot tell): the local file says
            return inspect(config, 1);
        }
        Optional<LockHolder> holder = remote.get().holder();
        if (holder.isPresent() && !holder.get().thisHost()) {
            // held on another host: its pid is reported, its process never looked at from here
            LockHolder h = holder.get();
            return new PidFileStatus(path, State.RUNNING, OptionalLong.of(h.pid()), LockState.LOCKED,
                    Optional.empty(), "held by pid " + h.pid() + " on " + (h.host().isEmpty() ? "another host"
                            : "host " + h.host()) + " (" + h.where() + ")", List.of(), OptionalLong.empty(),
                    host(h), h.fencingToken());
        }
        PidFileStatus local = inspect(config, 1);
        if (local.lock() == LockState.LOCKED) {
            return holder.isEmpty() ? local : new PidFileStatus(local.path(), local.state(), local.pid(),
                    local.lock(), local.process(), local.detail(), local.holders(), local.recordedPid(),
                    host(holder.get()), holder.get().fencingToken());
        }
        if (holder.isEmpty()) {
            // held by a holder that does not say who it is; the local file is not its record
            return new PidFileStatus(path, State.RUNNING, OptionalLong.empty(), LockState.LOCKED, Optional.empty(),
                    "held by a holder the lock does not name; " + local.detail(), List.of(), local.recordedPid());
        }
        // held on this host through another pidfile of the same name (another runtime directory)
        LockHolder h = holder.get();
        return new PidFileStatus(path, State.RUNNING, OptionalLong.of(h.pid()), LockState.LOCKED,
                Optional.of(ProcessInfo.of(h.pid())), "held by pid " + h.pid() + " on this host" + (h.host().isEmpty()
                        ? "" : ", " + h.host()) + " (" + h.where() + "), not through " + path, List.of(),
                local.recordedPid(), host(h), h.fencingToken());
    }

    private static Optional<String> host(LockHolder holder) {
        return Optional.of(holder.host()).filter(h -> !h.isEmpty());
    }

    private static PidFileStatus inspect(Config config, int attempt) {
        Path path = config.path();
        Optional<PathFacts> facts;
        try {
            facts = PathFacts.read(path);
        } catch (IOException e) {
            return unknown(path, IoErrors.translate(path, "lstat", e).getMessage());
        }
        if (facts.isEmpty()) {
            return new PidFileStatus(path, State.ABSENT, OptionalLong.empty(), LockState.UNLOCKED, Optional.empty(),
                    "no pidfile at " + path);
        }
        if (facts.get().type() != PathFacts.FileType.REGULAR) {
            return unknown(path, path + " is a " + facts.get().type().describe() + ", not a regular file");
        }
        Optional<PidFileStatus> ours = heldHere(path, facts.get().identity());
        if (ours.isPresent()) {
            return ours.get();
        }
        LockBackend backend = config.backend();
        OpenPidFile file;
        try {
            file = backend.store().open(path, OpenRequest.forInspection());
        } catch (NoSuchFileException e) {
            return new PidFileStatus(path, State.ABSENT, OptionalLong.empty(), LockState.UNLOCKED, Optional.empty(),
                    "no pidfile at " + path);
        } catch (IOException e) {
            return unknown(path, IoErrors.translate(path, "open", e).getMessage());
        }
        FileIdentity identity;
        try {
            identity = file.identity();
        } catch (IOException e) {
            REGISTRY.closeUnknown(file, ex -> { });
            if (e instanceof UncertainIdentityException && attempt < 3) {
                return inspect(config, attempt + 1);
            }
            return unknown(path, IoErrors.translate(path, "fstat", e).getMessage());
        }
        HeldFiles.Entry<Hold> entry = REGISTRY.opened(identity);
        PidFileStatus status;
        try {
            ours = heldHere(path, identity);
            if (ours.isPresent()) {
                return ours.get();
            }
            status = examine(config, backend, path, file, facts.get());
        } finally {
            REGISTRY.close(entry, file, e -> LOG.log(System.Logger.Level.WARNING,
                    () -> "close " + path + " failed: " + e.getMessage()));
        }
        if (status.lock() != LockState.LOCKED && attempt < 3 && !stillNames(path, identity)) {
            // removed or replaced while it was read: an unlocked file's content says nothing about the file the
            // path names now (a holder that released its lock and removed the file meanwhile)
            return inspect(config, attempt + 1);
        }
        return status;
    }

    /** @return whether {@code path} still names the file of that identity (not following a final symlink) */
    private static boolean stillNames(Path path, FileIdentity identity) {
        try {
            return PathFacts.read(path).map(f -> f.identity().equals(identity)).orElse(false);
        } catch (IOException e) {
            return true; // cannot tell: the answer stands
        }
    }

    private static PidFileStatus examine(Config config, LockBackend backend, Path path, OpenPidFile file,
                                         PathFacts facts) {
        LockProbe probe;
        PidContent content;
        try {
            probe = backend.exclusion(file, OpenRequest.forInspection()).probe();
            content = PidContent.read(file);
        } catch (IOException e) {
            return unknown(path, IoErrors.translate(path, "read", e).getMessage());
        }
        LockState lock = switch (probe.state()) {
            case HELD -> LockState.LOCKED;
            case FREE -> LockState.UNLOCKED;
            case UNKNOWN -> LockState.UNKNOWN;
        };
        if (lock == LockState.LOCKED && content.pid().isPresent() && LockHolders.holds(content.pid().getAsLong(),
                facts.identity().device(), facts.identity().inode(), path)) {
            // the file's pid holds the lock, by that process's own descriptors: the kernel confirms it
            long holder = content.pid().getAsLong();
            return new PidFileStatus(path, State.RUNNING, content.pid(), LockState.LOCKED,
                    Optional.of(ProcessInfo.of(holder)), "locked by pid " + holder,
                    new KernelHolders(facts.identity(), path, holder), content.pid());
        }
        List<Long> holders = Holders.inKernel(facts.identity(), path);
        if (lock == LockState.LOCKED || !holders.isEmpty()) {
            // a lock the backend does not see (another lock family) holds the file as well as one it sees
            return locked(path, holders, content.pid(), probe, kernelLock(backend));
        }
        OptionalLong pid = content.pid();
        if (pid.isEmpty()) {
            return new PidFileStatus(path, State.STALE, pid, lock, Optional.empty(), content.problem());
        }
        long p = pid.getAsLong();
        if (p == Self.PID) {
            return new PidFileStatus(path, State.STALE, pid, lock, Optional.empty(),
                    "names this process, which does not hold it");
        }
        StaleVerdict verdict = config.detector().assess(
                new RecordedHolder(p, path, Optional.of(Instant.EPOCH.plusNanos(facts.modifiedNanos()))));
        if (verdict.kind().isStale()) {
            Optional<ProcessInfo> process = verdict.kind() == StaleVerdict.Kind.DEAD
                    ? Optional.empty() : Optional.of(ProcessInfo.of(p));
            return new PidFileStatus(path, State.STALE, pid, lock, process, verdict.reason());
        }
        return new PidFileStatus(path, State.RUNNING, pid, lock, Optional.of(ProcessInfo.of(p)), verdict.reason());
    }

    /** @return whether the backend's lock is a kernel lock that {@code /proc/locks} would list, and it is readable */
    private static boolean kernelLock(LockBackend backend) {
        return (backend.capabilities().contains(Capability.CONFLICTS_WITH_FLOCK)
                || backend.capabilities().contains(Capability.CONFLICTS_WITH_FCNTL)) && ProcFs.locks().isPresent();
    }

    /**
     * A locked pidfile: its holders are the kernel's. When the kernel's table names none although the backend's
     * kernel lock is held, the holder cannot be seen from here (another pid namespace; another user's process):
     * the file's pid is not believed. Without a kernel table (no {@code /proc}, a lock that is not a kernel lock),
     * the file's pid when it lives, else the pid the backend's probe names.
     */
    private static PidFileStatus locked(Path path, List<Long> holders, OptionalLong recorded, LockProbe probe,
                                        boolean kernelCanTell) {
        if (holders.isEmpty() && kernelCanTell) {
            OptionalLong named = probe.holderPid().isPresent() && probe.holderPid().getAsLong() > 0
                    && ProcFs.alive(probe.holderPid().getAsLong()) ? probe.holderPid() : OptionalLong.empty();
            String file = recorded.isEmpty() ? "" : "; the pidfile names pid " + recorded.getAsLong()
                    + ", which the kernel does not confirm";
            if (named.isPresent()) {
                long pid = named.getAsLong();
                return new PidFileStatus(path, State.RUNNING, named, LockState.LOCKED,
                        Optional.of(ProcessInfo.of(pid)), "locked by pid " + pid + " (the kernel's lock query names"
                        + " it)" + (recorded.equals(named) ? "" : file), holders, recorded);
            }
            return new PidFileStatus(path, State.RUNNING, OptionalLong.empty(), LockState.LOCKED, Optional.empty(),
                    "locked by a process that cannot be seen from here (another pid namespace, or another user's"
                            + " process)" + file, holders, recorded);
        }
        if (holders.isEmpty()) {
            OptionalLong holder = Holders.holderOf(recorded, probe.holderPid());
            if (holder.isPresent()) {
                return new PidFileStatus(path, State.RUNNING, holder, LockState.LOCKED,
                        Optional.of(ProcessInfo.of(holder.getAsLong())), "locked by pid " + holder.getAsLong(),
                        holders, recorded);
            }
            return new PidFileStatus(path, State.RUNNING, holder, LockState.LOCKED, Optional.empty(),
                    "locked by a process that inherited the descriptor" + (recorded.isPresent()
                            ? "; the pidfile names pid " + recorded.getAsLong() + ", which is gone" : ""),
                    holders, recorded);
        }
        long holder = Holders.primary(holders, recorded);
        return new PidFileStatus(path, State.RUNNING, OptionalLong.of(holder), LockState.LOCKED,
                Optional.of(ProcessInfo.of(holder)), Holders.describe(holders, holder, recorded), holders,
                recorded);
    }

    private static Optional<PidFileStatus> heldHere(Path path, FileIdentity identity) {
        if (!REGISTRY.isClaimed(identity)) {
            return Optional.empty();
        }
        long pid = REGISTRY.recordedPid(identity).orElse(Self.PID);
        List<Long> holders = Holders.inKernel(identity, path);
        return Optional.of(new PidFileStatus(path, State.RUNNING, OptionalLong.of(pid), LockState.LOCKED,
                Optional.of(ProcessInfo.of(pid)), "held by this process", holders, OptionalLong.of(pid)));
    }

    private static PidFileStatus unknown(Path path, String detail) {
        return new PidFileStatus(path, State.UNKNOWN, OptionalLong.empty(), LockState.UNKNOWN, Optional.empty(),
                detail);
    }
}
