package dev.gonetpoll.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The options every example server understands: {@code --host}, {@code --port}, {@code --processors},
 * {@code --transport}, plus the options of one command ({@link CommandOptions}), kept in
 * {@link #extra}. Values may follow as the next argument ({@code --port 8080}) or after '='
 * ({@code --port=8080}).
 *
 * @param host       the address to bind, as typed (default {@code 0.0.0.0})
 * @param port       the TCP port, 0 for an ephemeral one (default 8080)
 * @param processors the number of processors of the event loop group (default: available processors)
 * @param transport  the transport (default gonetpoll)
 * @param help       whether {@code -h}/{@code --help} was given
 * @param extra      the command's own options as given: value options map to their value, flags to "true"
 */
public record ServerOptions(String host, int port, int processors, Transport transport, boolean help,
                            Map<String, String> extra) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        extra = Map.copyOf(extra);
    }

    /** Options for a server on {@code host:port} with {@code processors} gonetpoll processors. */
    public ServerOptions(String host, int port, int processors) {
        this(host, port, processors, Transport.GONETPOLL, false, Map.of());
    }

    /**
     * The options one command takes besides the common ones.
     *
     * @param values options followed by a value (e.g. {@code --sleep-ms})
     * @param flags  options without a value (e.g. {@code --offload})
     */
    public record CommandOptions(Set<String> values, Set<String> flags) {
        public static final CommandOptions NONE = new CommandOptions(Set.of(), Set.of());
    }

    /** The same options on another transport. */
    public ServerOptions withTransport(Transport t) {
        return new ServerOptions(host, port, processors, t, help, extra);
    }

    /** The same options plus a command option ({@code "true"} for a flag). */
    public ServerOptions with(String option, String value) {
        Map<String, String> more = new LinkedHashMap<>(extra);
        more.put(option, value);
        return new ServerOptions(host, port, processors, transport, help, more);
    }

    /** A command option's value, or {@code null} if it was not given. */
    public String option(String name) {
        return extra.get(name);
    }

    /** Whether a command flag was given. */
    public boolean flag(String name) {
        return extra.containsKey(name);
    }

    /** A command option as an int in [min, max], or {@code fallback} if it was not given. */
    public int intOption(String name, int fallback, int min, int max) throws UsageException {
        String value = extra.get(name);
        return value == null ? fallback : parseInt(name, value, min, max);
    }

    /** The default number of processors: the number of available processors. */
    public static int defaultProcessors() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The usage lines of these options, for a command's help text. */
    public static String usage() {
        return String.format("  --host HOST         address to bind (default %s)%n"
                        + "  --port N            TCP port, 0 for an ephemeral port (default %d)%n"
                        + "  --processors N      processors of the event loop group (default: available processors, here %d)%n"
                        + "  --transport T       %s (default gonetpoll): the same handlers on another transport%n"
                        + "  -h, --help          print this help and exit%n",
                DEFAULT_HOST, DEFAULT_PORT, defaultProcessors(), String.join("|", Transport.ids().split(", ")));
    }

    /** Parses the arguments following the command name, for a command without options of its own. */
    public static ServerOptions parse(List<String> args) throws UsageException {
        return parse(args, CommandOptions.NONE);
    }

    /** Parses the arguments following the command name; {@code own} lists the command's options. */
    public static ServerOptions parse(List<String> args, CommandOptions own) throws UsageException {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        int processors = defaultProcessors();
        Transport transport = Transport.GONETPOLL;
        boolean help = false;
        Map<String, String> extra = new LinkedHashMap<>();
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
                case "--transport" -> {
                    if (value == null) {
                        value = next(args, ++i, name);
                    }
                    transport = Transport.of(value);
                }
                default -> {
                    if (own.values().contains(name)) {
                        if (value == null) {
                            value = next(args, ++i, name);
                        }
                        extra.put(name, value);
                    } else if (own.flags().contains(name)) {
                        if (value != null) {
                            throw new UsageException("option " + name + " takes no value");
                        }
                        extra.put(name, "true");
                    } else if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + arg + "'");
                    } else {
                        throw new UsageException("unexpected argument '" + arg + "'");
                    }
                }
            }
        }
        return new ServerOptions(host, port, processors, transport, help, extra);
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
