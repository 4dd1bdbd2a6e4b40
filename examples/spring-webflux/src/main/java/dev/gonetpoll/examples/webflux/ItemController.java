package dev.gonetpoll.examples.webflux;

import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Two kinds of endpoint side by side: a reactive one, and a blocking JDBC one written the plain way,
 * without {@code subscribeOn(boundedElastic())} or any other offloading. WebFlux calls a handler that
 * returns a plain value in the connection's event loop; on gonetpoll that is the connection's own
 * goroutine, so the query blocks only this connection.
 */
@RestController
class ItemController {

    /** The longest delay {@code delayMs} may ask for. */
    static final int MAX_DELAY_MILLIS = 10_000;

    private final JdbcTemplate jdbc;

    ItemController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/hello")
    Mono<String> hello() {
        return Mono.just("Hello, World!");
    }

    /**
     * Item {@code id} from the H2 database, by a blocking JDBC query; {@code delayMs} makes the database
     * take that long first (a slow query, see {@link SlowQueries}).
     */
    @GetMapping("/items/{id}")
    Item item(@PathVariable("id") int id, @RequestParam(name = "delayMs", defaultValue = "0") int delayMs) {
        if (delayMs < 0 || delayMs > MAX_DELAY_MILLIS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "delayMs must be between 0 and " + MAX_DELAY_MILLIS + ", not " + delayMs);
        }
        try {
            return jdbc.queryForObject("SELECT id, name FROM item WHERE id = ? AND SLOW_QUERY(?)",
                    (rs, row) -> new Item(rs.getInt(1), rs.getString(2)), id, delayMs);
        } catch (EmptyResultDataAccessException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no item " + id);
        }
    }

    record Item(int id, String name) {
    }
}
