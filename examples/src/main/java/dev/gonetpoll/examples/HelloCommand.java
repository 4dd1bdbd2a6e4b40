package dev.gonetpoll.examples;

import java.io.PrintStream;
import java.util.List;

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
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, StartupException {
        ServerOptions options = ServerOptions.parse(args);
        if (options.help()) {
            out.print("usage: " + Main.PROGRAM + " " + usage());
            out.flush();
            return 0;
        }
        return Main.serve(name(), HttpExampleServer.hello(options), out);
    }
}
