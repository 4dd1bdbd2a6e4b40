package dev.gonetpoll.sys;

/**
 * The peer of a connected Unix domain socket as the kernel recorded it when the connection was
 * made ({@code SO_PEERCRED}, a {@code struct ucred}): its process id and its effective user and
 * group ids at that time.
 */
public record UnixCredentials(int pid, int uid, int gid) {
}
