/**
 * The system layer: libc bindings through JNA direct mapping, Linux constants, sockaddr
 * encoding, errno to exception mapping and a non-blocking socket built on them.
 *
 * <p>Nothing here knows about Netty channels or the scheduler; the upper layers of gonetpoll
 * build on this package, never the other way round.
 */
package dev.gonetpoll.sys;
