package dev.pidlock.example.mkdir;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockConflictException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM of {@link MkdirBreakRaceTest}: warms up, says {@code READY pid}, then on {@code go} tries once to
 * acquire the pidfile with backend {@code mkdir} and says {@code WON pid} or {@code LOST locked|running holder};
 * on {@code release} releases and says {@code RELEASED}. End of input exits.
 */
public final class RacerChild {
    private RacerChild() {
    }

    /**
     * @param args the pidfile
     * @throws IOException when stdin cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path pidfile = Path.of(args[0]);
        // Load and link the acquisition path once, on a file of its own, so that the racers start level.
        Path warm = Files.createTempDirectory(pidfile.getParent(), "warm");
        PidLock.at(warm.resolve("warm.pid")).backend(MkdirBackend.ID).acquire().close();
        Files.delete(warm);
        say("READY " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PidLock lock = null;
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "go" -> {
                    try {
                        lock = PidLock.at(pidfile).backend(MkdirBackend.ID).acquire();
                        say("WON " + ProcessHandle.current().pid());
                    } catch (PidLockConflictException e) {
                        say("LOST " + (e instanceof AlreadyLockedException ? "locked" : "running") + " "
                                + (e.holderPid().isPresent() ? e.holderPid().getAsLong() : "-"));
                    }
                }
                case "release" -> {
                    if (lock != null) {
                        lock.close();
                        lock = null;
                    }
                    say("RELEASED");
                }
                default -> say("ERROR unknown command " + line);
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
