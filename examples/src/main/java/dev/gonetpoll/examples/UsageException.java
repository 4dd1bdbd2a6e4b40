package dev.gonetpoll.examples;

/** A command line that cannot be run: unknown command or option, missing or invalid value. Exit code 2. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
