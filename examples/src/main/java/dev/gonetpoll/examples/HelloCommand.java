package dev.gonetpoll.examples;

import java.io.PrintStream;

/** {@code hello}: the HTTP/1.1 hello-world server. */
final class HelloCommand implements Command {

    @Override
    public String name() {
        return "hello";
    }

    @Override
    public String summary() {
        return "HTTP/1.1 hello-world server (keep-alive, pipelining)";
    }

    @Override
    public String usage() {
        return "hello [options]\n" + ServerOptions.usage();
    }

    @Override
    public int serve(ServerOptions options, PrintStream out, PrintStream err)
            throws UsageException, StartupException {
        return Main.serve(name(), HttpExampleServer.hello(options), out);
    }
}
