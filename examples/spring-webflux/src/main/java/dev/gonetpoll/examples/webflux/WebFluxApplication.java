package dev.gonetpoll.examples.webflux;

import dev.gonetpoll.reactor.GoNetpollLoopResources;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;

import java.time.Duration;

/**
 * A Spring Boot WebFlux application whose Reactor Netty server runs on gonetpoll. The only gonetpoll
 * code is the {@link ReactorResourceFactory} bean below: Spring Boot gives it to its Netty web server,
 * so every connection is served in a goroutine of its own, and
 * {@link ItemController}'s JDBC endpoint may block without offloading.
 */
@SpringBootApplication
public class WebFluxApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebFluxApplication.class, args);
    }

    /**
     * Replaces Spring Boot's own factory (which would use Reactor's global epoll or NIO loops) with one
     * that manages gonetpoll loop resources: created when the context starts, disposed gracefully when
     * it stops.
     *
     * @param processors  gonetpoll processors (property {@code gonetpoll.processors}; 0: one per CPU)
     * @param quietPeriod shutdown quiet period, Spring Boot's property for Reactor Netty's resources
     * @param timeout     shutdown timeout, likewise
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory(
            @Value("${gonetpoll.processors:0}") int processors,
            @Value("${spring.reactor.netty.shutdown-quiet-period:2s}") Duration quietPeriod,
            @Value("${spring.reactor.netty.shutdown-timeout:15s}") Duration timeout) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResourcesSupplier(() -> GoNetpollLoopResources.create("webflux", processors));
        factory.setShutdownQuietPeriod(quietPeriod);
        factory.setShutdownTimeout(timeout);
        return factory;
    }
}
