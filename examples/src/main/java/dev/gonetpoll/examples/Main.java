package dev.gonetpoll.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The examples' entry point (Main-Class of {@code gonetpoll-examples.jar}):
 * {@code java -jar gonetpoll-examples.jar <command> [options]}.
 *
 * <p>Exit codes: 0 after a clean stop (SIGTERM / Ctrl-C) or {@code --help}; 1 when a server cannot start
 * (e.g. its port is in use), with one line on stderr; 2 on bad arguments, with the usage on stderr.
 */
public final class Main {

    static final String PROGRAM = "gonetpoll-examples";

    /** Exit code of a command line that cannot be run. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a server that cannot start. */
    public static final int EXIT_STARTUP = 1;

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        register(new HelloCommand());
        register(new BlockingCommand());
        register(new FilesCommand());
        register(new EchoCommand());
        register(new ProxyCommand());
    }

    private Main() {
    }

    private static void register(Command command) {
        COMMANDS.put(command.name(), command);
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        if (code != 0) {
            System.exit(code);
        }
        // Exit code 0: a server stopped by a signal is already on the JVM's shutdown path; returning
        // (rather than calling System.exit, which would block while shutdown hooks run) is enough.
    }

    /**
     * Runs a command line. For a server command this returns only once the server has stopped: on
     * SIGTERM / Ctrl-C, or when the calling thread is interrupted (then with its interrupt status set).
     *
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            err.flush();
            return EXIT_USAGE;
        }
        String name = args[0];
        if (name.equals("-h") || name.equals("--help") || name.equals("help")) {
            out.print(usage());
            out.flush();
            return 0;
        }
        Command command = COMMANDS.get(name);
        if (command == null) {
            err.println(PROGRAM + ": unknown command '" + name + "'");
            err.print(usage());
            err.flush();
            return EXIT_USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return command.run(rest, out, err);
        } catch (UsageException e) {
            err.println(PROGRAM + " " + command.name() + ": " + e.getMessage());
            err.print("usage: " + PROGRAM + " " + command.usage());
            err.flush();
            return EXIT_USAGE;
        } catch (StartupException e) {
            err.println(PROGRAM + " " + command.name() + ": " + e.getMessage());
            err.flush();
            return EXIT_STARTUP;
        }
    }

    /** The general usage text. */
    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ").append(PROGRAM).append(" <command> [options]\n\ncommands:\n");
        COMMANDS.values().forEach(c -> sb.append(String.format("  %-10s %s%n", c.name(), c.summary())));
        sb.append("\nRun '").append(PROGRAM).append(" <command> --help' for the options of a command.\n");
        return sb.toString();
    }

    /**
     * Announces a started server with exactly one line on {@code out}
     * ({@code gonetpoll <command> listening on <url>}), stops it gracefully on SIGTERM / Ctrl-C or when
     * the calling thread is interrupted, and waits until it has stopped.
     *
     * @return exit code 0
     */
    static int serve(String command, RunningServer server, PrintStream out) {
        Thread hook = new Thread(server::close, "gonetpoll-" + command + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.println("gonetpoll " + command + " listening on " + server.url());
            out.flush();
            server.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // asked to stop: the finally block stops the server
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running (or has run) and stops the server.
            }
            server.close();
        }
        return 0;
    }
}
