package dev.gonetpoll.examples;

/**
 * A server that could not start (address in use, permission denied, the transport refusing to start
 * because of missing JVM flags, ...). Its message is one line meant for the user. Exit code 1.
 */
public final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
