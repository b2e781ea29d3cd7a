package dev.pidlock.daemon;

import java.util.List;

/**
 * A program's own action, run by {@link Daemon#execute(String[])} when its name is the first argument.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface Action {
    /**
     * Runs the action.
     *
     * @param daemon the daemon it belongs to
     * @param args   the arguments after the action's name
     * @return the exit code
     * @throws Exception anything: reported on stderr in one line, exit code 1
     * @since 0.2
     */
    int run(Daemon daemon, List<String> args) throws Exception;
}
