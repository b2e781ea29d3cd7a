package dev.pidlock.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code pidlock restart}: a verified stop, then a start. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Stop the running instance (verified, waiting for it to exit), then start CMD. If it was"
                + " not running, say so and start.", "Exit: as start; 1 when the old instance would not stop."})
final class RestartCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    StopCommand.Options stop;

    @Mixin
    StartCommand.Options start;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (command.isEmpty()) {
            throw new Target.UsageException("missing command after --");
        }
        StopCommand.Outcome outcome = StopCommand.stop(target, stop, false);
        if (outcome == StopCommand.Outcome.STILL_RUNNING) {
            return ExitCodes.CONFLICT;
        }
        if (outcome == StopCommand.Outcome.NOT_RUNNING) {
            System.err.println("pidlock: " + target.displayName(target.builder().path())
                    + " was not running; starting it");
        }
        return StartCommand.start(target, start, command);
    }
}
