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

    /** The options this command takes besides the common ones ({@link ServerOptions#usage()}). */
    default ServerOptions.CommandOptions options() {
        return ServerOptions.CommandOptions.NONE;
    }

    /**
     * Runs the command line: parses the arguments, prints the usage for {@code --help}, else serves.
     * A server command returns only when its server has stopped.
     *
     * @return the process exit code
     * @throws UsageException on bad arguments (exit code 2)
     * @throws StartupException when the server cannot start (exit code 1)
     */
    default int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, StartupException {
        ServerOptions parsed = ServerOptions.parse(args, options());
        if (parsed.help()) {
            out.print("usage: " + Main.PROGRAM + " " + usage());
            out.flush();
            return 0;
        }
        return serve(parsed, out, err);
    }

    /** Starts the server {@code options} describe and serves until it stops ({@link Main#serve}). */
    int serve(ServerOptions options, PrintStream out, PrintStream err) throws UsageException, StartupException;
}
