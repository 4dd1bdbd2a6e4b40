package dev.gonetpoll.examples;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code files}: the static file server for one directory. */
final class FilesCommand implements Command {

    private static final String DIR = "--dir";

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
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, StartupException {
        List<String> serverArgs = new ArrayList<>();
        String dir = takeDir(args, serverArgs);
        ServerOptions options = ServerOptions.parse(serverArgs);
        if (options.help()) {
            out.print("usage: " + Main.PROGRAM + " " + usage());
            out.flush();
            return 0;
        }
        if (dir == null) {
            throw new UsageException("option " + DIR + " is required");
        }
        Path directory;
        try {
            directory = Path.of(dir);
        } catch (InvalidPathException e) {
            throw new UsageException(DIR + " needs a path, not '" + dir + "': " + e.getReason());
        }
        return Main.serve(name(), FileServer.start(options, directory), out);
    }

    /**
     * Takes {@code --dir PATH} or {@code --dir=PATH} out of {@code args}; every other argument goes to
     * {@code rest}, for {@link ServerOptions#parse}.
     *
     * @return the path as typed, or null if not given
     */
    private static String takeDir(List<String> args, List<String> rest) throws UsageException {
        String dir = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String value;
            if (arg.equals(DIR)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option " + DIR + " needs a value");
                }
                value = args.get(++i);
            } else if (arg.startsWith(DIR + "=")) {
                value = arg.substring(DIR.length() + 1);
            } else {
                rest.add(arg);
                continue;
            }
            if (dir != null) {
                throw new UsageException("option " + DIR + " given twice");
            }
            if (value.isEmpty()) {
                throw new UsageException(DIR + " needs a non-empty path");
            }
            dir = value;
        }
        return dir;
    }
}
