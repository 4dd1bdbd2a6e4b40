package dev.gonetpoll.examples;

import java.io.PrintStream;
import java.util.Set;

/**
 * {@code blocking}: the hello server, but every request blocks inside the handler first: a
 * {@code Thread.sleep} ({@code --sleep-ms N}) or a JDBC query on an embedded H2 database
 * ({@code --db}). No offloading unless {@code --offload} moves the same code to a virtual thread per
 * request (how a Netty user makes blocking code safe on epoll or NIO; benchmark S2 compares both).
 */
final class BlockingCommand implements Command {

    static final String SLEEP_MS = "--sleep-ms";
    static final String DB = "--db";
    static final String OFFLOAD = "--offload";
    private static final ServerOptions.CommandOptions OPTIONS =
            new ServerOptions.CommandOptions(Set.of(SLEEP_MS), Set.of(DB, OFFLOAD));

    @Override
    public String name() {
        return "blocking";
    }

    @Override
    public String summary() {
        return "HTTP server whose handler blocks per request (sleep or JDBC), no offloading";
    }

    @Override
    public String usage() {
        return "blocking (--sleep-ms N | --db) [--offload] [options]\n"
                + "  --sleep-ms N        each request sleeps N ms (Thread.sleep) in the handler\n"
                + "  --db                each request runs a JDBC query on an embedded H2 database\n"
                + "                      (GET /row/N: row N of 0-" + (BlockingServer.ROWS - 1) + "; other paths: a random row)\n"
                + "  --offload           run the blocking code on a virtual thread per request instead\n"
                + ServerOptions.usage();
    }

    @Override
    public ServerOptions.CommandOptions options() {
        return OPTIONS;
    }

    @Override
    public int serve(ServerOptions options, PrintStream out, PrintStream err)
            throws UsageException, StartupException {
        try (BlockingServer server = BlockingServer.start(options)) {
            return Main.serve(name(), server.running(), out);
        }
    }
}
