package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AF_UNIX stream sockets of {@link Socket}, and the socket files of {@link UnixSocketFile}. */
class UnixSocketTest {

    @TempDir
    Path dir;

    private final List<Socket> sockets = new ArrayList<>();
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeAll() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        arena.close();
    }

    @Test
    void roundTripOverAPathnameSocket() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("s").toString());
        Socket server = listen(path);
        assertTrue(server.isUnix());
        assertEquals(path, server.localUnixAddress());
        assertTrue(Files.exists(Path.of(path.path())), "bind creates the socket file");

        Socket client = track(Socket.newUnixStreamSocket());
        assertTrue(client.localUnixAddress().isUnnamed(), "not bound");
        assertNull(client.remoteUnixAddress(), "not connected");
        client.connect(path);
        Socket accepted = accept(server);
        assertTrue(accepted.isUnix());

        assertTrue(client.localUnixAddress().isUnnamed());
        assertEquals(path, client.remoteUnixAddress());
        assertEquals(path, accepted.localUnixAddress());
        assertTrue(accepted.remoteUnixAddress().isUnnamed(), "the client is not bound");
        assertNull(client.localAddress(), "no IP address on a unix socket");

        byte[] hello = "hello, unix".getBytes(StandardCharsets.US_ASCII);
        MemorySegment out = arena.allocateFrom(ValueLayout.JAVA_BYTE, hello);
        assertEquals(hello.length, client.write(out.address(), hello.length));
        Readiness.awaitReadable(accepted);
        MemorySegment in = arena.allocate(64);
        int n = accepted.read(in.address(), 64);
        assertArrayEquals(hello, in.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));

        client.shutdown(false, true);
        Readiness.awaitReadable(accepted);
        assertEquals(0, accepted.read(in.address(), 64), "end of stream after the peer's shutdown");
    }

    @Test
    void aBoundClientIsSeenUnderItsName() throws IOException {
        UnixSocketPath serverPath = UnixSocketPath.of(dir.resolve("server").toString());
        UnixSocketPath clientPath = UnixSocketPath.of(dir.resolve("client").toString());
        Socket server = listen(serverPath);
        Socket client = track(Socket.newUnixStreamSocket());
        client.bind(clientPath);
        client.connect(serverPath);
        Socket accepted = accept(server);
        assertEquals(clientPath, client.localUnixAddress());
        assertEquals(clientPath, accepted.remoteUnixAddress());
    }

    @Test
    void abstractNamesLeaveNoFile() throws IOException {
        UnixSocketPath name = UnixSocketPath.of("\0gonetpoll-test-" + UUID.randomUUID());
        Socket server = listen(name);
        assertEquals(name, server.localUnixAddress());
        Socket client = track(Socket.newUnixStreamSocket());
        client.connect(name);
        Socket accepted = accept(server);
        assertEquals(name, accepted.localUnixAddress());
        assertEquals(name, client.remoteUnixAddress());
    }

    @Test
    void bindingTheUnnamedAddressPicksAnAbstractName() throws IOException {
        Socket server = listen(UnixSocketPath.of(""));
        UnixSocketPath picked = server.localUnixAddress();
        assertTrue(picked.isAbstract(), picked.toString());
        Socket client = track(Socket.newUnixStreamSocket());
        client.connect(picked);
        accept(server);
    }

    @Test
    void peerCredentialsAreThoseOfThisProcess() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("cred").toString());
        Socket server = listen(path);
        Socket client = track(Socket.newUnixStreamSocket());
        client.connect(path);
        Socket accepted = accept(server);
        UnixSystem me = new UnixSystem();
        for (UnixCredentials peer : List.of(accepted.peerCredentials(), client.peerCredentials())) {
            assertEquals(ProcessHandle.current().pid(), peer.pid());
            assertEquals(me.getUid(), peer.uid());
            assertEquals(me.getGid(), peer.gid());
        }
    }

    @Test
    void connectingToNoFileFailsWithFileNotFoundNamingThePath() {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("missing").toString());
        Socket client = track(Socket.newUnixStreamSocket());
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> client.connect(path));
        assertTrue(e.getMessage().contains(path.path()), e.getMessage());
    }

    @Test
    void connectingToASocketNobodyListensOnIsRefused() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("stale").toString());
        track(Socket.newUnixStreamSocket()).bind(path); // bound, never listening
        Socket client = track(Socket.newUnixStreamSocket());
        ConnectException e = assertThrows(ConnectException.class, () -> client.connect(path));
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
        assertTrue(e.getMessage().contains(path.path()), e.getMessage());
    }

    @Test
    void aFullBacklogFailsTheConnectAtOnce() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("busy").toString());
        Socket server = track(Socket.newUnixStreamSocket());
        server.bind(path);
        server.listen(0); // room for one connection that is not accepted yet
        track(Socket.newUnixStreamSocket()).connect(path);
        Socket second = track(Socket.newUnixStreamSocket());
        ConnectException e = assertThrows(ConnectException.class, () -> second.connect(path));
        assertTrue(e.getMessage().contains("backlog is full"), e.getMessage());
    }

    @Test
    void bindingAnExistingPathFailsWithBindExceptionNamingThePath() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("taken").toString());
        listen(path);
        Socket second = track(Socket.newUnixStreamSocket());
        BindException e = assertThrows(BindException.class, () -> second.bind(path));
        assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        assertTrue(e.getMessage().contains(path.path()), e.getMessage());
    }

    @Test
    void aStaleSocketFileIsRemovedBeforeBinding() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("left-behind").toString());
        Socket crashed = Socket.newUnixStreamSocket();
        crashed.bind(path);
        crashed.listen(16);
        crashed.close(); // the file stays, as after a crash
        assertTrue(Files.exists(Path.of(path.path())));

        UnixSocketFile.prepareBind(path);
        assertFalse(Files.exists(Path.of(path.path())));
        listen(path);
    }

    @Test
    void theSocketFileOfALiveServerIsLeftAlone() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("live").toString());
        Socket live = listen(path);
        UnixSocketFile.prepareBind(path);
        assertFalse(UnixSocketFile.removeIfStale(path));
        assertTrue(Files.exists(Path.of(path.path())));
        assertThrows(BindException.class, () -> track(Socket.newUnixStreamSocket()).bind(path));
        // Each probe was one connection, which the live server sees come and go.
        accept(live);
        accept(live);
    }

    @Test
    void aFileThatIsNotASocketIsNeverRemoved() throws IOException {
        Path regular = Files.writeString(dir.resolve("config.txt"), "precious");
        UnixSocketPath path = UnixSocketPath.of(regular.toString());
        BindException e = assertThrows(BindException.class, () -> UnixSocketFile.prepareBind(path));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertTrue(e.getMessage().contains(regular.toString()), e.getMessage());
        assertFalse(UnixSocketFile.removeIfStale(path));
        assertEquals("precious", Files.readString(regular));
    }

    @Test
    void addressesWithoutAFileNeedNothingRemoved() throws IOException {
        UnixSocketFile.prepareBind(UnixSocketPath.of(dir.resolve("nothing-here").toString()));
        assertFalse(UnixSocketFile.removeIfStale(UnixSocketPath.of(dir.resolve("nothing-here").toString())));
        assertFalse(UnixSocketFile.removeIfStale(UnixSocketPath.of("\0abstract")));
        assertFalse(UnixSocketFile.removeIfStale(UnixSocketPath.of("")));
    }

    @Test
    void aClosedServersFileIsStaleAndRemoved() throws IOException {
        UnixSocketPath path = UnixSocketPath.of(dir.resolve("closed").toString());
        Socket server = listen(path);
        server.close();
        assertTrue(UnixSocketFile.removeIfStale(path));
        assertFalse(Files.exists(Path.of(path.path())));
    }

    @Test
    void theFamilyShowsInIsUnixAndToString() throws IOException {
        Socket unix = track(Socket.newUnixStreamSocket());
        assertTrue(unix.toString().contains("unix"), unix.toString());
        Socket tcp = track(Socket.newStreamSocket(false));
        assertFalse(tcp.isUnix());
        assertNotEquals(unix.toString(), tcp.toString());
    }

    private Socket listen(UnixSocketPath path) throws IOException {
        Socket server = track(Socket.newUnixStreamSocket());
        server.bind(path);
        server.listen(16);
        return server;
    }

    private Socket accept(Socket server) throws IOException {
        Readiness.awaitReadable(server);
        int fd = server.accept(null);
        assertTrue(fd >= 0);
        return track(server.wrapAccepted(fd));
    }

    private Socket track(Socket socket) {
        sockets.add(socket);
        return socket;
    }
}
