package dev.gonetpoll.examples;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/** {@code files}: the static file server for one directory. */
final class FilesCommand implements Command {

    private static final String DIR = "--dir";
    private static final ServerOptions.CommandOptions OPTIONS = new ServerOptions.CommandOptions(Set.of(DIR), Set.of());

    @Override
    public String name() {
        return "files";
    }

    @Override
    public String summary() {
        return "HTTP/1.1 static file server for one directory (sendfile, ranges, conditional GET)";
    }

    @Override
    public String usage() {
        return "files --dir PATH [options]\n"
                + "  --dir PATH          the directory to serve (required)\n"
                + ServerOptions.usage();
    }

    @Override
    public ServerOptions.CommandOptions options() {
        return OPTIONS;
    }

    @Override
    public int serve(ServerOptions options, PrintStream out, PrintStream err)
            throws UsageException, StartupException {
        String dir = options.option(DIR);
        if (dir == null) {
            throw new UsageException("option " + DIR + " is required");
        }
        if (dir.isEmpty()) {
            throw new UsageException(DIR + " needs a non-empty path");
        }
        Path directory;
        try {
            directory = Path.of(dir);
        } catch (InvalidPathException e) {
            throw new UsageException(DIR + " needs a path, not '" + dir + "': " + e.getReason());
        }
        return Main.serve(name(), FileServer.start(options, directory), out);
    }
}
