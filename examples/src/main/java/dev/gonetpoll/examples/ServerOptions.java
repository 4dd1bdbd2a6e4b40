package dev.gonetpoll.examples;

import java.util.List;
import java.util.Objects;

/**
 * The options every example server understands: {@code --host}, {@code --port}, {@code --processors}.
 * Values may follow as the next argument ({@code --port 8080}) or after '=' ({@code --port=8080}).
 *
 * @param host       the address to bind, as typed (default {@code 0.0.0.0})
 * @param port       the TCP port, 0 for an ephemeral one (default 8080)
 * @param processors the number of processors of the event loop group (default: available processors)
 * @param transport  the transport (only gonetpoll for now)
 * @param help       whether {@code -h}/{@code --help} was given
 */
public record ServerOptions(String host, int port, int processors, Transport transport, boolean help) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
    }

    /** Options for a server on {@code host:port} with {@code processors} gonetpoll processors. */
    public ServerOptions(String host, int port, int processors) {
        this(host, port, processors, Transport.GONETPOLL, false);
    }

    /** The default number of processors: the number of available processors. */
    public static int defaultProcessors() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The usage lines of these options, for a command's help text. */
    public static String usage() {
        return """
                  --host HOST         address to bind (default %s)
                  --port N            TCP port, 0 for an ephemeral port (default %d)
                  --processors N      processors of the event loop group (default: available processors, here %d)
                  -h, --help          print this help and exit
                """.formatted(DEFAULT_HOST, DEFAULT_PORT, defaultProcessors());
    }

    /** Parses the arguments following the command name. */
    public static ServerOptions parse(List<String> args) throws UsageException {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        int processors = defaultProcessors();
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    if (value != null) {
                        throw new UsageException("option " + name + " takes no value");
                    }
                    help = true;
                }
                case "--host" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    if (value.isBlank()) {
                        throw new UsageException("--host needs a non-empty address");
                    }
                    host = value;
                }
                case "--port" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    port = parseInt(name, value, 0, 65535);
                }
                case "--processors" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    processors = parseInt(name, value, 1, 4096);
                }
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + arg + "'");
                    }
                    throw new UsageException("unexpected argument '" + arg + "'");
                }
            }
        }
        return new ServerOptions(host, port, processors, Transport.GONETPOLL, help);
    }

    /** The host as it appears in a URL: IPv6 literals in brackets. */
    public String urlHost() {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String next(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException("option " + option + " needs a value");
        }
        return args.get(i);
    }

    private static int parseInt(String option, String value, int min, int max) throws UsageException {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, not '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }
}
