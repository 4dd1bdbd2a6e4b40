package dev.gonetpoll.examples;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test helper: skips a test on a transport this machine cannot run, saying why. */
final class Transports {

    private Transports() {
    }

    static void assumeAvailable(Transport transport) {
        switch (transport) {
            case EPOLL -> assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
            case IO_URING -> assumeTrue(IoUring.isAvailable(),
                    () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
            default -> {
            }
        }
    }
}
