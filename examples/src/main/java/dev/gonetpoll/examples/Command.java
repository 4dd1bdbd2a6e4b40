package dev.gonetpoll.examples;

import java.io.PrintStream;
import java.util.List;

/** A subcommand of {@link Main}: {@code hello}, {@code files}, {@code blocking}, {@code echo}, {@code proxy}. */
interface Command {

    /** The name typed on the command line. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The command's own usage text (options), without the leading "usage:" line. */
    String usage();

    /**
     * Runs the command. A server command returns only when its server has stopped.
     *
     * @return the process exit code
     * @throws UsageException on bad arguments (exit code 2)
     * @throws StartupException when the server cannot start (exit code 1)
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, StartupException;
}
