package dev.gonetpoll.channel;

import io.netty.channel.ChannelException;

import java.io.IOException;

/** Runs a socket option call for a channel config: a kernel refusal becomes Netty's {@link ChannelException}. */
final class KernelOption {

    interface Get<T> {
        T call() throws IOException;
    }

    interface Set {
        void call() throws IOException;
    }

    private KernelOption() {
    }

    static <T> T get(Get<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    static void set(Set call) {
        try {
            call.call();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }
}
