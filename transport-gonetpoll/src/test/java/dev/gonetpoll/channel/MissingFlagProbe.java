package dev.gonetpoll.channel;

import java.util.concurrent.TimeUnit;

/** Run in a child JVM by {@link JvmFlagsTest}: prints "started" or the construction failure's message. */
public final class MissingFlagProbe {

    private MissingFlagProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        try {
            GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            System.out.println("started");
        } catch (IllegalStateException e) {
            System.out.println("failed: " + e.getMessage());
        }
    }
}
