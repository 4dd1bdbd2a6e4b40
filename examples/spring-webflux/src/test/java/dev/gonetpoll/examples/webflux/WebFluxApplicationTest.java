package dev.gonetpoll.examples.webflux;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.reactor.GoNetpollLoopResources;
import dev.gonetpoll.testing.Await;
import dev.gonetpoll.testing.LeakCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts the application as {@code main} does (ephemeral port, one gonetpoll processor) and calls its
 * reactive and its blocking JDBC endpoints; then closes it and finds the gonetpoll group terminated.
 */
@ExtendWith(LeakCheck.class)
class WebFluxApplicationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static ConfigurableApplicationContext context;
    private static URI base;
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    @BeforeAll
    static void startApplication() {
        context = SpringApplication.run(WebFluxApplication.class,
                "--server.port=0", "--server.address=127.0.0.1", "--gonetpoll.processors=1",
                "--spring.reactor.netty.shutdown-quiet-period=0s");
        base = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + "/");
    }

    @AfterAll
    static void closeApplication() {
        http.close();
        if (context != null && context.isActive()) {
            context.close();
        }
    }

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).build();
    }

    private static HttpResponse<String> call(String path) throws Exception {
        return http.send(get(path), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServerRunsOnGoNetpoll() {
        ReactorResourceFactory resources = context.getBean(ReactorResourceFactory.class);
        GoNetpollLoopResources loops = assertInstanceOf(GoNetpollLoopResources.class, resources.getLoopResources());
        assertEquals(1, loops.eventLoopGroup().processorCount());
        assertTrue(loops.eventLoopGroup().registeredFdCount() > 0, "the listening socket is registered");
    }

    @Test
    void answersTheReactiveAndTheJdbcEndpoints() throws Exception {
        HttpResponse<String> hello = call("hello");
        assertEquals(200, hello.statusCode());
        assertEquals("Hello, World!", hello.body());

        HttpResponse<String> item = call("items/2");
        assertEquals(200, item.statusCode());
        assertEquals("{\"id\":2,\"name\":\"processor\"}", item.body());
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        assertEquals(404, call("items/999").statusCode());
        HttpResponse<String> tooSlow = call("items/1?delayMs=" + (ItemController.MAX_DELAY_MILLIS + 1));
        assertEquals(400, tooSlow.statusCode());
        assertEquals(400, call("items/1?delayMs=-1").statusCode());
        assertEquals(400, call("items/one").statusCode());
    }

    /**
     * One processor: a request whose JDBC query blocks for 2 s in the handler (no offloading) holds back
     * only its own connection; other requests, JDBC ones too, are answered while it waits.
     */
    @Test
    void aBlockingJdbcRequestHoldsBackOnlyItsOwnConnection() throws Exception {
        CompletableFuture<HttpResponse<String>> slow =
                http.sendAsync(get("items/3?delayMs=2000"), HttpResponse.BodyHandlers.ofString());
        Await.until(TIMEOUT, () -> SlowQueries.running() == 1, () -> SlowQueries.running() + " slow queries running");

        for (int i = 0; i < 5; i++) {
            assertEquals("Hello, World!", call("hello").body());
            assertEquals("{\"id\":1,\"name\":\"goroutine\"}", call("items/1").body());
        }
        assertFalse(slow.isDone(), "the slow query is still running");
        assertEquals(1, SlowQueries.running());

        HttpResponse<String> slowReply = slow.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, slowReply.statusCode());
        assertEquals("{\"id\":3,\"name\":\"netpoller\"}", slowReply.body());
    }

    /** Runs last among this class's tests only by name order, so it uses an application of its own. */
    @Test
    void closingTheApplicationTerminatesTheGroup() throws Exception {
        ConfigurableApplicationContext own = SpringApplication.run(WebFluxApplication.class,
                "--server.port=0", "--server.address=127.0.0.1", "--gonetpoll.processors=1",
                "--spring.reactor.netty.shutdown-quiet-period=0s", "--spring.datasource.url=jdbc:h2:mem:closing");
        GoNetpollLoopResources loops = (GoNetpollLoopResources) own.getBean(ReactorResourceFactory.class).getLoopResources();
        GoNetpollEventLoopGroup group = loops.eventLoopGroup();
        URI ownBase = URI.create("http://127.0.0.1:" + own.getEnvironment().getProperty("local.server.port") + "/");
        assertEquals(200, http.send(HttpRequest.newBuilder(ownBase.resolve("hello")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        own.close();
        assertTrue(loops.isDisposed());
        assertTrue(group.isTerminated(), "the context's close waited for the group to terminate");
        assertEquals(0, group.liveLoopCount());
    }
}
