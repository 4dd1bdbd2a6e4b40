package dev.gonetpoll.testsuite;

import java.net.SocketAddress;

/**
 * {@link GoNetpollDomainSocketEchoTest} with Linux abstract names ({@code "\0name"}) instead of
 * socket files, as Netty's {@code EpollAbstractDomainSocketEchoTest} runs it on epoll.
 *
 * <p>Server x client: gonetpoll x gonetpoll.
 */
public class GoNetpollAbstractDomainSocketEchoTest extends GoNetpollDomainSocketEchoTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newAbstractDomainSocketAddress();
    }
}
